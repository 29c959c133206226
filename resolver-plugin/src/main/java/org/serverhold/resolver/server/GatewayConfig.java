package org.serverhold.resolver.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.serverhold.resolver.denial.DenialPolicy;

/**
 * The DNS gateway's settings (see {@code ResolverConfig} for the file keys).
 *
 * @param listen             addresses served on both UDP and TCP; port 0 picks one free port
 *                           shared by UDP and TCP (so a truncated UDP answer can be retried)
 * @param upstreams          recursive resolvers, tried in order with failover
 * @param upstreamTimeout    per-attempt timeout
 * @param upstreamSockets    UDP sockets per upstream (random source ports and ids)
 * @param cacheMaxEntries    answers kept; 0 disables the cache
 * @param cacheMaxTtl        cap on any cached TTL
 * @param ednsUdpSize        largest UDP answer this server sends (and advertises)
 * @param denials            per-reason answers
 * @param denialLog          JSON-lines file of denials (null: not logged)
 * @param denialLogLimit     bytes per log file before rotation
 * @param denialLogCount     rotated files kept
 * @param metricsListen      Prometheus endpoint (null: none)
 * @param maxInFlight        queries processed at once; beyond, UDP queries are dropped
 * @param tcpIdleTimeout     idle TCP connections are closed after this
 * @param rateLimit          per-client response-rate limiting of UDP answers (null: off)
 */
public record GatewayConfig(List<InetSocketAddress> listen, List<InetSocketAddress> upstreams,
    Duration upstreamTimeout, int upstreamSockets, int cacheMaxEntries, Duration cacheMaxTtl, int ednsUdpSize,
    DenialPolicy denials, Path denialLog, long denialLogLimit, int denialLogCount, InetSocketAddress metricsListen,
    int maxInFlight, Duration tcpIdleTimeout, RateLimit rateLimit) {

  public GatewayConfig {
    listen = List.copyOf(listen);
    upstreams = List.copyOf(upstreams);
    Objects.requireNonNull(denials, "denials");
    if (listen.isEmpty()) {
      throw new IllegalArgumentException("no listen address");
    }
    if (upstreams.isEmpty()) {
      throw new IllegalArgumentException("no upstream resolver");
    }
    if (ednsUdpSize < 512 || ednsUdpSize > 65535) {
      throw new IllegalArgumentException("edns udp size must be in [512, 65535]");
    }
    upstreamTimeout = upstreamTimeout == null ? Duration.ofMillis(1500) : upstreamTimeout;
    cacheMaxTtl = cacheMaxTtl == null ? Duration.ofDays(1) : cacheMaxTtl;
    tcpIdleTimeout = tcpIdleTimeout == null ? Duration.ofSeconds(10) : tcpIdleTimeout;
    upstreamSockets = Math.max(1, upstreamSockets);
    maxInFlight = Math.max(1, maxInFlight);
    denialLogLimit = denialLogLimit <= 0 ? 50L << 20 : denialLogLimit;
    denialLogCount = Math.max(1, denialLogCount);
    rateLimit = rateLimit == null ? RateLimit.OFF : rateLimit;
  }

  /** Without response-rate limiting. */
  public GatewayConfig(List<InetSocketAddress> listen, List<InetSocketAddress> upstreams,
      Duration upstreamTimeout, int upstreamSockets, int cacheMaxEntries, Duration cacheMaxTtl, int ednsUdpSize,
      DenialPolicy denials, Path denialLog, long denialLogLimit, int denialLogCount, InetSocketAddress metricsListen,
      int maxInFlight, Duration tcpIdleTimeout) {
    this(listen, upstreams, upstreamTimeout, upstreamSockets, cacheMaxEntries, cacheMaxTtl, ednsUdpSize, denials,
        denialLog, denialLogLimit, denialLogCount, metricsListen, maxInFlight, tcpIdleTimeout, RateLimit.OFF);
  }

  /** Defaults for everything but the addresses: for tests and embedding. */
  public static GatewayConfig of(List<InetSocketAddress> listen, List<InetSocketAddress> upstreams) {
    return new GatewayConfig(listen, upstreams, null, 4, 100_000, null, 1232, DenialPolicy.DEFAULT, null, 0, 5,
        null, 10_000, null);
  }

  public GatewayConfig withDenials(DenialPolicy d) {
    return new GatewayConfig(listen, upstreams, upstreamTimeout, upstreamSockets, cacheMaxEntries, cacheMaxTtl,
        ednsUdpSize, d, denialLog, denialLogLimit, denialLogCount, metricsListen, maxInFlight, tcpIdleTimeout, rateLimit);
  }

  public GatewayConfig withUpstreamTimeout(Duration t) {
    return new GatewayConfig(listen, upstreams, t, upstreamSockets, cacheMaxEntries, cacheMaxTtl,
        ednsUdpSize, denials, denialLog, denialLogLimit, denialLogCount, metricsListen, maxInFlight, tcpIdleTimeout, rateLimit);
  }

  public GatewayConfig withDenialLog(Path log) {
    return new GatewayConfig(listen, upstreams, upstreamTimeout, upstreamSockets, cacheMaxEntries, cacheMaxTtl,
        ednsUdpSize, denials, log, denialLogLimit, denialLogCount, metricsListen, maxInFlight, tcpIdleTimeout, rateLimit);
  }

  public GatewayConfig withMetrics(InetSocketAddress metrics) {
    return new GatewayConfig(listen, upstreams, upstreamTimeout, upstreamSockets, cacheMaxEntries, cacheMaxTtl,
        ednsUdpSize, denials, denialLog, denialLogLimit, denialLogCount, metrics, maxInFlight, tcpIdleTimeout, rateLimit);
  }

  public GatewayConfig withRateLimit(RateLimit r) {
    return new GatewayConfig(listen, upstreams, upstreamTimeout, upstreamSockets, cacheMaxEntries, cacheMaxTtl,
        ednsUdpSize, denials, denialLog, denialLogLimit, denialLogCount, metricsListen, maxInFlight, tcpIdleTimeout, r);
  }

  public GatewayConfig withMaxInFlight(int n) {
    return new GatewayConfig(listen, upstreams, upstreamTimeout, upstreamSockets, cacheMaxEntries, cacheMaxTtl,
        ednsUdpSize, denials, denialLog, denialLogLimit, denialLogCount, metricsListen, n, tcpIdleTimeout, rateLimit);
  }
}
