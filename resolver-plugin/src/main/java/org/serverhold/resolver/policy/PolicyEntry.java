package org.serverhold.resolver.policy;

import java.util.Objects;

/**
 * One policy entry: {@code name} is an A-label name, lower case, no trailing dot. For DOMAIN
 * entries {@code decision} may be ALLOW; flags always deny (FLAGGED unless the feed says otherwise).
 */
public record PolicyEntry(EntryKind kind, String name, Decision decision) {
  public PolicyEntry {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(decision, "decision");
  }

  public static PolicyEntry allow(String name) {
    return new PolicyEntry(EntryKind.DOMAIN, name, Decision.ALLOW);
  }

  public static PolicyEntry domain(String name, DenyReason reason, String reference) {
    return new PolicyEntry(EntryKind.DOMAIN, name, Decision.deny(reason, reference));
  }

  public static PolicyEntry flag(String name, boolean subtree, String reference) {
    return new PolicyEntry(subtree ? EntryKind.FLAG_SUBTREE : EntryKind.FLAG_EXACT, name,
        Decision.deny(DenyReason.FLAGGED, reference));
  }
}
