package org.serverhold.resolver.server;

/**
 * Per-client response-rate limiting (RRL-like) for UDP answers: each client network (IPv4 /24,
 * IPv6 /56) gets a token bucket of {@code responsesPerSecond} tokens, refilled at that rate.
 * Over the limit, every {@code slip}-th answer is replaced by an empty truncated (TC=1) one,
 * which sends a real client to TCP (not rate limited: its handshake proves the source address),
 * and the rest are dropped; a spoofed victim thus receives at most a trickle of small answers.
 * {@code slip} 0 drops all, 1 slips all. Off when {@code responsesPerSecond} is 0.
 *
 * @param responsesPerSecond answers per second per client network; 0 disables the limit
 * @param slip               every slip-th limited answer is sent truncated (0..10)
 */
public record RateLimit(int responsesPerSecond, int slip) {
  public static final RateLimit OFF = new RateLimit(0, 2);

  public RateLimit {
    if (responsesPerSecond < 0) {
      throw new IllegalArgumentException("rrl.responses-per-second must be >= 0");
    }
    if (slip < 0 || slip > 10) {
      throw new IllegalArgumentException("rrl.slip must be in [0, 10]");
    }
  }

  public boolean enabled() {
    return responsesPerSecond > 0;
  }
}
