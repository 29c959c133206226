package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

/**
 * The token buckets behind {@link RateLimit}, one per client network, checked before a UDP query
 * is answered (so a limited query costs no upstream lookup either).
 *
 * <p>Memory is bounded: at most {@link #MAX_TRACKED} networks are tracked; idle ones (whose
 * bucket has refilled, so forgetting them changes nothing) are swept when the table is full, and
 * while it is still full new networks share one overflow bucket, which limits a spoofed-source
 * flood as a whole instead of growing the table.
 */
final class ResponseRateLimiter {
  static final int MAX_TRACKED = 1 << 16;
  private static final long OVERFLOW = -1L;
  private static final long SWEEP_INTERVAL_NANOS = 100_000_000L;

  enum Verdict { ANSWER, SLIP, DROP }

  private static final class Bucket {
    double tokens;
    long refilled;
    long limited;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.refilled = now;
    }
  }

  private final double tokensPerNano;
  private final double capacity;
  private final long fullAfterNanos;
  private final int slip;
  private final LongSupplier clock;
  private final Map<Long, Bucket> buckets = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);

  ResponseRateLimiter(RateLimit limit, LongSupplier nanoClock) {
    if (!limit.enabled()) {
      throw new IllegalArgumentException("rate limit disabled");
    }
    this.capacity = limit.responsesPerSecond(); // one second's worth of burst
    this.tokensPerNano = limit.responsesPerSecond() / 1e9;
    this.fullAfterNanos = 1_000_000_000L;
    this.slip = limit.slip();
    this.clock = nanoClock;
  }

  /** Whether {@code client} may have an answer now; takes a token if so. */
  Verdict admit(InetAddress client) {
    long now = clock.getAsLong();
    long key = key(client);
    Bucket b = buckets.get(key);
    if (b == null) {
      if (buckets.size() >= MAX_TRACKED) {
        sweep(now);
        if (buckets.size() >= MAX_TRACKED) {
          key = OVERFLOW;
        }
      }
      b = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    }
    synchronized (b) {
      if (now > b.refilled) {
        b.tokens = Math.min(capacity, b.tokens + (now - b.refilled) * tokensPerNano);
        b.refilled = now;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Verdict.ANSWER;
      }
      b.limited++;
      return slip > 0 && b.limited % slip == 0 ? Verdict.SLIP : Verdict.DROP;
    }
  }

  /** The answer for a limited query: null (dropped) or an empty truncated answer, counted. */
  byte[] limited(Verdict verdict, byte[] packet, GatewayMetrics metrics) {
    if (verdict == Verdict.SLIP) {
      byte[] tc = truncated(packet);
      if (tc != null) {
        metrics.rrlSlip();
        return tc;
      }
    }
    metrics.rrlDrop();
    return null;
  }

  /** Networks tracked (for tests). */
  int tracked() {
    return buckets.size();
  }

  private void sweep(long now) {
    long last = lastSweep.get();
    if (last != Long.MIN_VALUE && now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    buckets.entrySet().removeIf(e -> {
      Bucket b = e.getValue();
      synchronized (b) {
        return now - b.refilled >= fullAfterNanos;
      }
    });
  }

  /** IPv4 /24 or IPv6 /56, tagged by family. */
  static long key(InetAddress client) {
    byte[] a = client.getAddress();
    if (client instanceof Inet4Address) {
      return (4L << 56) | ((a[0] & 0xffL) << 16) | ((a[1] & 0xffL) << 8) | (a[2] & 0xffL);
    }
    long k = 6L << 56;
    for (int i = 0; i < 7; i++) {
      k |= (a[i] & 0xffL) << (8 * (6 - i));
    }
    return k;
  }

  /**
   * An empty answer with TC=1 echoing the id, opcode, RD and question of {@code packet}, never
   * larger than the query; null when the packet is not a parseable query (nothing is reflected).
   */
  static byte[] truncated(byte[] packet) {
    if (packet.length < Header.LENGTH || (packet[2] & 0x80) != 0) {
      return null;
    }
    Message q;
    try {
      q = new Message(packet);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    Header qh = q.getHeader();
    Message r = new Message(qh.getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setFlag(Flags.TC);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (q.getQuestion() != null) {
      r.addRecord(q.getQuestion(), Section.QUESTION);
    }
    return r.toWire();
  }
}
