package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;
import org.serverhold.resolver.denial.DenialResponder;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.sync.FeedStatus;

/**
 * The DNS gateway: UDP and TCP listeners on each configured address, answering from the policy,
 * the cache and the upstream resolvers, plus the optional metrics endpoint and denial log.
 *
 * <pre>{@code
 * PolicyEngine engine = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
 * try (Gateway gw = new Gateway(config, engine, feedStatusOrNull)) {
 *   gw.start();
 *   int port = gw.port(); // UDP and TCP share it
 * }
 * }</pre>
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final GatewayConfig config;
  private final PolicyEngine engine;
  private final FeedStatus feed;
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final List<UdpListener> udp = new ArrayList<>();
  private final List<TcpListener> tcp = new ArrayList<>();
  private final List<InetSocketAddress> bound = new ArrayList<>();
  private ExecutorService workers;
  private UpstreamPool upstreams;
  private DenialLog denialLog;
  private MetricsServer metricsServer;
  private Semaphore udpPermits;
  private Semaphore tcpPermits;
  private boolean started;

  /** @param feed the policy feed's status for metrics, or null without a registry */
  public Gateway(GatewayConfig config, PolicyEngine engine, FeedStatus feed) {
    this.config = config;
    this.engine = engine;
    this.feed = feed;
  }

  /** Binds every socket and starts serving; on failure everything opened is closed again. */
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    try {
      workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dns-query-", 0).factory());
      upstreams = new UpstreamPool(config.upstreams(), config.upstreamSockets(), config.upstreamTimeout(), metrics);
      if (config.denialLog() != null) {
        denialLog = new DenialLog(config.denialLog(), config.denialLogLimit(), config.denialLogCount(), metrics);
      }
      AnswerCache cache = new AnswerCache(config.cacheMaxEntries(), config.cacheMaxTtl(), System::nanoTime);
      QueryHandler handler = new QueryHandler(engine, cache, upstreams,
          new DenialResponder(config.denials(), config.ednsUdpSize()), denialLog, metrics, config.ednsUdpSize(),
          Clock.systemUTC());
      if (config.rateLimit().enabled()) {
        handler.rateLimiter(new ResponseRateLimiter(config.rateLimit(), System::nanoTime));
      }
      udpPermits = new Semaphore(config.maxInFlight());
      tcpPermits = new Semaphore(Math.max(16, config.maxInFlight() / 10));
      int tcpMax = tcpPermits.availablePermits();
      metrics.inFlightGauge(() -> config.maxInFlight() - udpPermits.availablePermits()
          + tcpMax - tcpPermits.availablePermits());
      for (InetSocketAddress address : config.listen()) {
        bind(address, handler, udpPermits, tcpPermits);
      }
      if (config.metricsListen() != null) {
        metricsServer = new MetricsServer(config.metricsListen(), () -> metrics.render(engine, feed));
      }
      LOG.info(() -> "DNS gateway listening on " + bound + " (UDP+TCP), upstreams " + config.upstreams());
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * One UDP socket per core on the same port (SO_REUSEPORT): the kernel spreads clients over
   * them, so each receiving thread has its own socket and queue, where threads sharing one
   * channel queued on its receive lock.
   */
  private static List<DatagramChannel> udpSockets(DatagramChannel first, java.net.InetAddress host, int port)
      throws IOException {
    List<DatagramChannel> out = new ArrayList<>();
    out.add(first);
    int n = Math.max(1, Runtime.getRuntime().availableProcessors());
    try {
      for (int i = 1; i < n; i++) {
        DatagramChannel dc = DatagramChannel.open(host instanceof java.net.Inet6Address
            ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
        out.add(dc);
        dc.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        dc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        dc.bind(new InetSocketAddress(host, port));
      }
    } catch (IOException | RuntimeException e) {
      for (DatagramChannel dc : out.subList(1, out.size())) {
        dc.close();
      }
      throw e;
    }
    return out;
  }

  /** UDP and TCP on the same port; with port 0, retry until both get the same free port. */
  private void bind(InetSocketAddress address, QueryHandler handler, Semaphore udpPermits, Semaphore tcpPermits)
      throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      DatagramChannel dc = DatagramChannel.open(address.getAddress() instanceof java.net.Inet6Address
          ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
      try {
        dc.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        dc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        dc.bind(address);
        int port = ((InetSocketAddress) dc.getLocalAddress()).getPort();
        ServerSocket ss = new ServerSocket();
        try {
          ss.setReuseAddress(true);
          ss.bind(new InetSocketAddress(address.getAddress(), port), 256);
        } catch (IOException e) {
          ss.close();
          throw e;
        }
        udp.add(new UdpListener(udpSockets(dc, address.getAddress(), port), handler, workers, udpPermits, metrics));
        tcp.add(new TcpListener(ss, handler, workers, tcpPermits, config.tcpIdleTimeout()));
        bound.add(new InetSocketAddress(address.getAddress(), port));
        return;
      } catch (BindException e) {
        dc.close();
        last = e;
        if (address.getPort() != 0) {
          break;
        }
      } catch (IOException | RuntimeException e) {
        dc.close();
        throw e;
      }
    }
    throw last;
  }

  /** The bound addresses (UDP and TCP share each), in configuration order. */
  public synchronized List<InetSocketAddress> addresses() {
    return List.copyOf(bound);
  }

  /** The port of the first listen address. */
  public int port() {
    return addresses().getFirst().getPort();
  }

  /** The metrics HTTP port, or -1 when disabled. */
  public synchronized int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** Upstream queries awaiting an answer (each is forgotten on answer or timeout). */
  synchronized int upstreamPending() {
    return upstreams == null ? 0 : upstreams.pending();
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public PolicyEngine engine() {
    return engine;
  }

  @Override
  public synchronized void close() {
    try {
      for (UdpListener l : udp) {
        l.close();
      }
      for (TcpListener l : tcp) {
        l.close();
      }
      if (metricsServer != null) {
        metricsServer.close();
      }
      if (workers != null) {
        workers.shutdownNow();
      }
      if (upstreams != null) {
        upstreams.close();
      }
      if (denialLog != null) {
        denialLog.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    udp.clear();
    tcp.clear();
  }
}
