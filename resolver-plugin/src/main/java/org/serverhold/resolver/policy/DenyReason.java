package org.serverhold.resolver.policy;

/**
 * Why a name must not resolve. Mirrors the feed's {@code serverhold.v1.DenyReason} (minus
 * "unspecified", which means ALLOW) plus two resolver-side reasons, so that gRPC types stay out
 * of the engine and the gateway.
 */
public enum DenyReason {
  NOT_FILED,
  TAKEDOWN,
  HOLDER_BLACKLISTED,
  IDENTITY_UNVERIFIED,
  REGISTRAR_HOLD,
  FLAGGED,
  /** Under a managed zone but absent from the policy. */
  NOT_REGISTERED,
  PEER_DISPOSAL,
  /** Fail-closed: the resolver has never had a policy, so it cannot vouch for the name. */
  NO_POLICY,
  /** A reason this build does not know (a newer registry): still a denial, never an allow. */
  OTHER
}
