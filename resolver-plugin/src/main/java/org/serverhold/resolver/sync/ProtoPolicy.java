package org.serverhold.resolver.sync;

import java.time.Instant;
import java.util.Optional;
import org.serverhold.api.v1.PolicyKey;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.EntryKind;
import org.serverhold.resolver.policy.PolicyChange;
import org.serverhold.resolver.policy.PolicyEntry;

/** The only place feed (gRPC) types meet engine types. */
final class ProtoPolicy {
  private ProtoPolicy() {}

  static Optional<EntryKind> kind(org.serverhold.api.v1.EntryKind kind) {
    return switch (kind) {
      case DOMAIN -> Optional.of(EntryKind.DOMAIN);
      case FLAG_EXACT -> Optional.of(EntryKind.FLAG_EXACT);
      case FLAG_SUBTREE -> Optional.of(EntryKind.FLAG_SUBTREE);
      case ENTRY_KIND_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
    };
  }

  static Decision decision(org.serverhold.api.v1.DenyReason reason, String reference) {
    DenyReason r = switch (reason) {
      case DENY_REASON_UNSPECIFIED -> null;
      case DENY_NOT_FILED -> DenyReason.NOT_FILED;
      case DENY_TAKEDOWN -> DenyReason.TAKEDOWN;
      case DENY_HOLDER_BLACKLISTED -> DenyReason.HOLDER_BLACKLISTED;
      case DENY_IDENTITY_UNVERIFIED -> DenyReason.IDENTITY_UNVERIFIED;
      case DENY_REGISTRAR_HOLD -> DenyReason.REGISTRAR_HOLD;
      case DENY_FLAGGED -> DenyReason.FLAGGED;
      case DENY_NOT_REGISTERED -> DenyReason.NOT_REGISTERED;
      case DENY_PEER_DISPOSAL -> DenyReason.PEER_DISPOSAL;
      // A reason from a newer registry is still a denial: never turn it into an allow.
      case UNRECOGNIZED -> DenyReason.OTHER;
    };
    return r == null ? Decision.ALLOW : Decision.deny(r, reference);
  }

  static Optional<PolicyEntry> entry(org.serverhold.api.v1.PolicyEntry e) {
    return kind(e.getKind()).map(k -> new PolicyEntry(k, e.getName(), decision(e.getReason(), e.getReference())));
  }

  static Optional<PolicyChange> change(org.serverhold.api.v1.PolicyChange c) {
    return switch (c.getChangeCase()) {
      case PUT -> entry(c.getPut()).map(PolicyChange.Put::new);
      case REMOVE -> {
        PolicyKey key = c.getRemove();
        yield kind(key.getKind()).map(k -> new PolicyChange.Remove(k, key.getName()));
      }
      case ADD_ZONE -> Optional.of(new PolicyChange.AddZone(c.getAddZone()));
      case REMOVE_ZONE -> Optional.of(new PolicyChange.RemoveZone(c.getRemoveZone()));
      case CHANGE_NOT_SET -> Optional.empty();
    };
  }

  static Instant committed(org.serverhold.api.v1.Changeset cs) {
    return cs.hasCommitted()
        ? Instant.ofEpochSecond(cs.getCommitted().getSeconds(), cs.getCommitted().getNanos())
        : null;
  }
}
