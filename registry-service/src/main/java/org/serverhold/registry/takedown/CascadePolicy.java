package org.serverhold.registry.takedown;

import java.time.Duration;

/**
 * How a takedown reaches the holder's other domains. IMMEDIATE (the 2009 plan's rule, the
 * default): all are held in the takedown's own transaction. GRACE (CNNIC's 2022 practice): the
 * target is held and the holder blacklisted at once; the others are held when the grace period
 * ends unless the holder passed enhanced identity verification. The N-th offence of a holder
 * makes its blacklisting permanent (liftable only by an ADMIN).
 */
public record CascadePolicy(Mode mode, Duration grace, int permanentAfterOffences) {
  /** When the cascade applies. */
  public enum Mode {
    IMMEDIATE,
    GRACE
  }

  public static CascadePolicy immediate() {
    return new CascadePolicy(Mode.IMMEDIATE, Duration.ZERO, 3);
  }

  public CascadePolicy {
    if (permanentAfterOffences < 1) {
      throw new IllegalArgumentException("permanentAfterOffences must be at least 1");
    }
    if (mode == Mode.GRACE && (grace == null || grace.isNegative() || grace.isZero())) {
      throw new IllegalArgumentException("a grace cascade needs a positive grace period");
    }
  }
}
