package org.serverhold.resolver.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.sync.FeedStatus;
import org.xbill.DNS.Rcode;

/** Counters of the gateway, rendered in the Prometheus text format. Lock-free on the hot path. */
public final class GatewayMetrics {
  private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  private final LongAdder udpQueries = new LongAdder();
  private final LongAdder tcpQueries = new LongAdder();
  private final Map<Integer, LongAdder> rcodes = new ConcurrentHashMap<>();
  private final Map<DenyReason, LongAdder> denials = new ConcurrentHashMap<>();
  private final LongAdder cacheHits = new LongAdder();
  private final LongAdder cacheMisses = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder upstreamFailures = new LongAdder();
  private final LongAdder[] latencyBuckets = new LongAdder[BUCKETS.length + 1];
  private final LongAdder latencyCount = new LongAdder();
  private final LongAdder latencyNanos = new LongAdder();
  private final LongAdder denialLogDropped = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();
  private final LongAdder rrlDropped = new LongAdder();
  private final LongAdder rrlSlipped = new LongAdder();
  private volatile IntSupplier inFlight = () -> 0;

  public GatewayMetrics() {
    for (int i = 0; i < latencyBuckets.length; i++) {
      latencyBuckets[i] = new LongAdder();
    }
  }

  void query(Transport t) {
    (t == Transport.UDP ? udpQueries : tcpQueries).increment();
  }

  void answer(int rcode) {
    rcodes.computeIfAbsent(rcode, k -> new LongAdder()).increment();
  }

  void denial(DenyReason reason) {
    denials.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  void cacheHit() {
    cacheHits.increment();
  }

  void cacheMiss() {
    cacheMisses.increment();
  }

  void malformed() {
    malformed.increment();
  }

  void dropped() {
    dropped.increment();
  }

  void upstreamFailure() {
    upstreamFailures.increment();
  }

  void denialLogDropped() {
    denialLogDropped.increment();
  }

  void internalError() {
    internalErrors.increment();
  }

  void rrlDrop() {
    rrlDropped.increment();
  }

  void rrlSlip() {
    rrlSlipped.increment();
  }

  void inFlightGauge(IntSupplier gauge) {
    this.inFlight = gauge;
  }

  /** Queries that hit the handler's last-resort catch (a bug: SERVFAIL was sent instead). */
  public long internalErrors() {
    return internalErrors.sum();
  }

  /** UDP answers dropped by response-rate limiting. */
  public long rrlDropped() {
    return rrlDropped.sum();
  }

  /** UDP answers replaced by an empty truncated one by response-rate limiting. */
  public long rrlSlipped() {
    return rrlSlipped.sum();
  }

  /** Queries received over {@code t} (handled, not dropped by the in-flight cap). */
  long queries(Transport t) {
    return (t == Transport.UDP ? udpQueries : tcpQueries).sum();
  }

  public long cacheMisses() {
    return cacheMisses.sum();
  }

  public long droppedCount() {
    return dropped.sum();
  }

  /** Responses sent with {@code rcode}. */
  public long responses(int rcode) {
    LongAdder a = rcodes.get(rcode);
    return a == null ? 0 : a.sum();
  }

  /** Queries being processed now (UDP queries plus open TCP connections). */
  public int inFlight() {
    return inFlight.getAsInt();
  }

  void upstreamLatency(long nanos) {
    double s = nanos / 1e9;
    int i = 0;
    while (i < BUCKETS.length && s > BUCKETS[i]) {
      i++;
    }
    latencyBuckets[i].increment();
    latencyCount.increment();
    latencyNanos.add(nanos);
  }

  public long denials(DenyReason reason) {
    LongAdder a = denials.get(reason);
    return a == null ? 0 : a.sum();
  }

  public long cacheHits() {
    return cacheHits.sum();
  }

  public long malformedCount() {
    return malformed.sum();
  }

  /** The exposition text; {@code feed} may be null when no registry is configured. */
  public String render(PolicyEngine engine, FeedStatus feed) {
    StringBuilder sb = new StringBuilder(2048);
    counter(sb, "serverhold_dns_queries_total", "DNS queries received.");
    sb.append("serverhold_dns_queries_total{transport=\"udp\"} ").append(udpQueries.sum()).append('\n');
    sb.append("serverhold_dns_queries_total{transport=\"tcp\"} ").append(tcpQueries.sum()).append('\n');
    counter(sb, "serverhold_dns_responses_total", "DNS responses sent, by rcode.");
    rcodes.forEach((rc, n) -> sb.append("serverhold_dns_responses_total{rcode=\"").append(Rcode.string(rc))
        .append("\"} ").append(n.sum()).append('\n'));
    counter(sb, "serverhold_dns_denials_total", "Queries denied by policy, by reason.");
    denials.forEach((r, n) -> sb.append("serverhold_dns_denials_total{reason=\"").append(r)
        .append("\"} ").append(n.sum()).append('\n'));
    simple(sb, "serverhold_dns_cache_hits_total", "counter", "Answers served from the cache.", cacheHits.sum());
    simple(sb, "serverhold_dns_cache_misses_total", "counter", "Answers fetched from upstream.", cacheMisses.sum());
    simple(sb, "serverhold_dns_malformed_total", "counter", "Malformed packets (FORMERR or dropped).",
        malformed.sum());
    simple(sb, "serverhold_dns_dropped_total", "counter", "Queries dropped (overload or not a query).",
        dropped.sum());
    simple(sb, "serverhold_dns_upstream_failures_total", "counter", "Upstream attempts that failed or timed out.",
        upstreamFailures.sum());
    simple(sb, "serverhold_dns_denial_log_dropped_total", "counter", "Denial log lines dropped (log backlog full).",
        denialLogDropped.sum());
    simple(sb, "serverhold_dns_internal_errors_total", "counter", "Queries answered SERVFAIL by the last-resort catch.",
        internalErrors.sum());
    simple(sb, "serverhold_dns_rrl_dropped_total", "counter", "UDP answers dropped by response-rate limiting.",
        rrlDropped.sum());
    simple(sb, "serverhold_dns_rrl_slipped_total", "counter",
        "UDP answers sent truncated (TC=1) by response-rate limiting.", rrlSlipped.sum());
    simple(sb, "serverhold_dns_queries_in_flight", "gauge", "UDP queries in progress plus open TCP connections.",
        inFlight.getAsInt());
    sb.append("# HELP serverhold_dns_upstream_latency_seconds Upstream round trip time.\n");
    sb.append("# TYPE serverhold_dns_upstream_latency_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += latencyBuckets[i].sum();
      sb.append("serverhold_dns_upstream_latency_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ")
          .append(cumulative).append('\n');
    }
    cumulative += latencyBuckets[BUCKETS.length].sum();
    sb.append("serverhold_dns_upstream_latency_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
    sb.append("serverhold_dns_upstream_latency_seconds_sum ").append(latencyNanos.sum() / 1e9).append('\n');
    sb.append("serverhold_dns_upstream_latency_seconds_count ").append(latencyCount.sum()).append('\n');
    simple(sb, "serverhold_policy_version", "gauge", "Applied policy version (-1: none).", engine.version());
    simple(sb, "serverhold_policy_entries", "gauge", "Entries in the policy.", engine.size());
    if (feed != null) {
      simple(sb, "serverhold_policy_feed_connected", "gauge", "1 while the policy feed stream is up.",
          feed.connected() ? 1 : 0);
      simple(sb, "serverhold_policy_feed_lag_seconds", "gauge", "Commit-to-apply delay of the last changeset.",
          feed.lastChangesetLag().map(Duration::toNanos).orElse(0L) / 1e9);
      simple(sb, "serverhold_policy_feed_versions_behind", "gauge", "Versions the registry has beyond ours.",
          feed.versionsBehind());
      simple(sb, "serverhold_policy_feed_last_contact_seconds", "gauge", "Seconds since the registry was heard from.",
          feed.sinceLastContact().map(Duration::toNanos).orElse(-1_000_000_000L) / 1e9);
      simple(sb, "serverhold_policy_persist_failures_total", "counter",
          "Failed writes of the policy file (the last good file is kept).", feed.persistFailures());
    }
    return sb.toString();
  }

  private static void counter(StringBuilder sb, String name, String help) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" counter\n");
  }

  private static void simple(StringBuilder sb, String name, String type, String help, Number value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    sb.append(name).append(' ').append(value).append('\n');
  }
}
