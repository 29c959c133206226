package org.serverhold.resolver.policy;

import java.util.Objects;

/**
 * The outcome of {@link PolicyEngine#decide}: allow, or deny with a reason and a short reference
 * (case number, filing rule). Instances are interned by the engine so a lookup never allocates.
 */
public record Decision(DenyReason reason, String reference) {
  public static final Decision ALLOW = new Decision(null, "");
  public static final Decision NOT_REGISTERED = new Decision(DenyReason.NOT_REGISTERED, "");
  public static final Decision NO_POLICY = new Decision(DenyReason.NO_POLICY, "no policy loaded");

  public Decision {
    reference = reference == null ? "" : reference;
  }

  public static Decision deny(DenyReason reason, String reference) {
    return new Decision(Objects.requireNonNull(reason, "reason"), reference);
  }

  public boolean allowed() {
    return reason == null;
  }

  public boolean denied() {
    return reason != null;
  }

  @Override
  public String toString() {
    return allowed() ? "ALLOW" : "DENY " + reason + (reference.isEmpty() ? "" : " " + reference);
  }
}
