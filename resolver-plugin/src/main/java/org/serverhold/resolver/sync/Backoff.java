package org.serverhold.resolver.sync;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: thousands of gateways that lost the registry at the same
 * moment must not come back in lockstep.
 */
final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private final RandomGenerator random;
  private long ceiling;

  Backoff(Duration min, Duration max, RandomGenerator random) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
    this.random = random;
    this.ceiling = minMillis;
  }

  /** The next delay: uniform in [min, ceiling], the ceiling doubling up to max. */
  Duration next() {
    long delay = minMillis + (ceiling > minMillis ? random.nextLong(ceiling - minMillis + 1) : 0);
    ceiling = Math.min(maxMillis, ceiling * 2);
    return Duration.ofMillis(delay);
  }

  void reset() {
    ceiling = minMillis;
  }
}
