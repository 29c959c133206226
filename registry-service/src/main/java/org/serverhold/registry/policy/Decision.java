package org.serverhold.registry.policy;

import java.util.Collection;
import org.serverhold.registry.domain.HoldReason;

/**
 * What a resolver must do with one registrable name: ALLOW, or deny with the most serious reason
 * in force and a reference short enough for a DNS error text.
 */
public record Decision(Reason reason, String reference) {
  /** The reasons, most serious first. */
  public enum Reason {
    ALLOW,
    NOT_FILED,
    TAKEDOWN,
    HOLDER_BLACKLISTED,
    IDENTITY_UNVERIFIED,
    REGISTRAR_HOLD,
    FLAGGED,
    PEER_DISPOSAL
  }

  private static final int MAX_REFERENCE = 120;

  public Decision {
    reference = reference == null ? "" : truncate(reference);
  }

  /** The decision for a live registration with these holds in force. */
  public static Decision forDomain(Collection<HoldRef> holds, boolean filed) {
    HoldRef worst = null;
    for (HoldRef h : holds) {
      if (worst == null || rank(h.reason()) < rank(worst.reason())) {
        worst = h;
      }
    }
    if (worst != null) {
      return new Decision(switch (worst.reason()) {
        case TAKEDOWN, TAKEDOWN_CASCADE -> Reason.TAKEDOWN;
        case PEER_DISPOSAL -> Reason.PEER_DISPOSAL;
        case HOLDER_BLACKLISTED -> Reason.HOLDER_BLACKLISTED;
        case REGISTRAR_HOLD -> Reason.REGISTRAR_HOLD;
        case IDENTITY_UNVERIFIED -> Reason.IDENTITY_UNVERIFIED;
        case NOT_FILED -> Reason.NOT_FILED;
      }, worst.reference());
    }
    return filed ? new Decision(Reason.ALLOW, "") : new Decision(Reason.NOT_FILED, "");
  }

  /** A hold as the decision needs it. */
  public record HoldRef(HoldReason reason, String reference) {}

  private static int rank(HoldReason reason) {
    return switch (reason) {
      case TAKEDOWN -> 0;
      case TAKEDOWN_CASCADE -> 1;
      case PEER_DISPOSAL -> 2;
      case HOLDER_BLACKLISTED -> 3;
      case REGISTRAR_HOLD -> 4;
      case IDENTITY_UNVERIFIED -> 5;
      case NOT_FILED -> 6;
    };
  }

  private static String truncate(String s) {
    return s.length() <= MAX_REFERENCE ? s : s.substring(0, MAX_REFERENCE);
  }
}
