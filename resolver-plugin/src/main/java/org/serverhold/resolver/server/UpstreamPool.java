package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The configured upstream resolvers with failover: a query goes to the preferred upstream; on a
 * timeout or error the next one is tried and becomes preferred, so a dead upstream costs one
 * timeout, not one per query. Truncated UDP answers are fetched again over TCP.
 */
final class UpstreamPool implements AutoCloseable {
  private static final int UPSTREAM_UDP_SIZE = 1232;

  private final List<Upstream> upstreams = new ArrayList<>();
  private final Duration timeout;
  private final GatewayMetrics metrics;
  private final AtomicInteger preferred = new AtomicInteger();

  UpstreamPool(List<InetSocketAddress> addresses, int sockets, Duration timeout, GatewayMetrics metrics)
      throws IOException {
    this.timeout = timeout;
    this.metrics = metrics;
    try {
      for (InetSocketAddress a : addresses) {
        upstreams.add(new Upstream(a, sockets));
      }
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  /** Resolves one question; blocks the calling (virtual) thread. */
  Message resolve(Record question, boolean dnssecOk, boolean checkingDisabled) throws IOException {
    int n = upstreams.size();
    int start = preferred.get();
    IOException last = null;
    for (int i = 0; i < n; i++) {
      int idx = (start + i) % n;
      Upstream up = upstreams.get(idx);
      long t0 = System.nanoTime();
      try {
        Message response = once(up, query(question, dnssecOk, checkingDisabled));
        if (response.getHeader().getFlag(Flags.TC)) {
          response = up.sendTcp(query(question, dnssecOk, checkingDisabled), timeout);
        }
        metrics.upstreamLatency(System.nanoTime() - t0);
        if (idx != start) {
          preferred.compareAndSet(start, idx);
        }
        return response;
      } catch (IOException e) {
        metrics.upstreamFailure();
        last = e;
      }
    }
    throw last != null ? last : new IOException("no upstream");
  }

  private Message once(Upstream up, Message query) throws IOException {
    Upstream.Ticket t = up.send(query);
    try {
      return t.future().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IOException("upstream " + up.address() + " timed out", e);
    } catch (ExecutionException e) {
      throw new IOException("upstream " + up.address() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      up.forget(t);
    }
  }

  private static Message query(Record question, boolean dnssecOk, boolean checkingDisabled) {
    Message q = Message.newQuery(question);
    q.getHeader().setFlag(Flags.RD);
    if (checkingDisabled) {
      q.getHeader().setFlag(Flags.CD);
    }
    q.addRecord(new OPTRecord(UPSTREAM_UDP_SIZE, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
    return q;
  }

  /** Queries sent and not yet answered or given up, over all upstreams. */
  int pending() {
    int n = 0;
    for (Upstream u : upstreams) {
      n += u.pending();
    }
    return n;
  }

  @Override
  public void close() {
    upstreams.forEach(Upstream::close);
  }
}
