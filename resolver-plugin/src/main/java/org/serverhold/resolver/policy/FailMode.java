package org.serverhold.resolver.policy;

/** What to do for names under managed zones while no policy has ever been loaded. */
public enum FailMode {
  /** Deny with {@link DenyReason#NO_POLICY}: the safe default for a regulated registry. */
  CLOSED,
  /** Allow: for operators who prefer availability until the first policy arrives. */
  OPEN
}
