package org.serverhold.registry.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per credential: {@code perSecond} calls a second on average, bursts up to
 * {@code burst}. One misbehaving client (a loop, a leaked token) cannot starve the others.
 */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();

  /** The state of one credential's bucket. */
  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastNanos = now;
    }
  }

  public RateLimiter(double perSecond, double burst) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Takes one call's token; false when the credential is over its rate. */
  public boolean tryAcquire(long credentialId) {
    long now = System.nanoTime();
    Bucket b = buckets.computeIfAbsent(credentialId, id -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) / 1e9 * perSecond);
      b.lastNanos = now;
      if (b.tokens < 1) {
        return false;
      }
      b.tokens -= 1;
      return true;
    }
  }
}
