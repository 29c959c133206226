package org.serverhold.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.serverhold.demo.DemoWorld;
import org.serverhold.registry.metrics.MetricsEndpoint;
import org.serverhold.registry.metrics.RegistryMetrics;
import org.serverhold.registry.auth.RateLimiter;
import org.serverhold.registry.takedown.CascadePolicy;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.serverhold.registry.Registry;
import org.serverhold.registry.RegistryServer;
import org.serverhold.registry.config.KeyMaterial;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.database.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the registry until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the registry (gRPC). With no --db-url it runs on an embedded MariaDB under --data-dir.")
public final class ServeCommand implements Runnable {
  @Mixin
  DatabaseOptions database;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "7400", description = "gRPC port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--zones", split = ",", description = "Managed zones (default: cn,com.cn,net.cn,org.cn,中国).")
  List<String> zones = RegistryConfig.DEFAULT_ZONES;

  @Option(names = "--tls-cert", description = "Server certificate chain (PEM): turns TLS on.")
  Path tlsCert;

  @Option(names = "--tls-key", description = "Server private key (PEM, PKCS#8).")
  Path tlsKey;

  @Option(names = "--client-ca", description = "CA (PEM) for client certificates: a certificate can then be the credential.")
  Path clientCa;

  @Option(names = "--require-client-cert", description = "Refuse TLS clients without a certificate from --client-ca.")
  boolean requireClientCert;

  @Option(names = "--cascade", defaultValue = "IMMEDIATE",
      description = "Takedown cascade: IMMEDIATE (every domain of the holder at once; the default) or GRACE.")
  CascadePolicy.Mode cascade;

  @Option(names = "--grace-days", defaultValue = "7",
      description = "GRACE: days for the holder to pass enhanced verification (default: ${DEFAULT-VALUE}).")
  int graceDays;

  @Option(names = "--permanent-after", defaultValue = "3",
      description = "The N-th takedown of a holder makes its blacklisting permanent (default: ${DEFAULT-VALUE}).")
  int permanentAfter;

  @Option(names = "--rate-limit", defaultValue = "500",
      description = "Calls per second per credential, bursts of twice that (default: ${DEFAULT-VALUE}).")
  double rateLimit;

  @Option(names = "--dns", defaultValue = "127.0.0.1:5353",
      description = "Also run a policy-enforcing DNS gateway here, fed by this registry (default: ${DEFAULT-VALUE}).")
  String dns;

  @Option(names = "--no-dns", description = "Registry only: run the gateway elsewhere with 'serverhold resolver run'.")
  boolean noDns;

  @Option(names = "--upstream", split = ",",
      description = "Recursive resolvers the gateway forwards allowed names to. Default: the built-in demo zone server.")
  List<String> upstreams = List.of();

  @Option(names = "--registry-metrics", defaultValue = "127.0.0.1:9154",
      description = "The registry's own metrics (feed, resolvers, federation peers) at http://HOST:PORT/metrics"
          + " (default: ${DEFAULT-VALUE}; 'off' to disable).")
  String registryMetrics;

  @Option(names = "--feed-keep-versions", defaultValue = "100000",
      description = "Policy changesets kept for resolvers to resume from, by count (default: ${DEFAULT-VALUE}) ...")
  long feedKeepVersions;

  @Option(names = "--feed-keep-days", defaultValue = "7",
      description = "... and by age (default: ${DEFAULT-VALUE}); a changeset goes when it is outside both windows.")
  long feedKeepDays;

  @Option(names = "--no-demo", description = "Do not create the demo domains on a fresh database.")
  boolean noDemo;

  @Option(names = "--metrics", defaultValue = "127.0.0.1:9153",
      description = "Gateway metrics (Prometheus text) at http://HOST:PORT/metrics (default: ${DEFAULT-VALUE}).")
  String metrics;

  @Option(names = "--registry-id", defaultValue = "${env:SERVERHOLD_REGISTRY_ID:-local}",
      description = "This registry's id among federation members (default: ${DEFAULT-VALUE}).")
  String registryId;

  @Option(names = "--peer", description = "A peer registry to import the blacklist from (repeatable): "
      + "id=ID,target=HOST:PORT,token-file=FILE,mode=record|suspend|review[,tls=true][,tls-ca=PEM]. "
      + "Needs the federation key (SERVERHOLD_FEDERATION_KEY, base64, or federation.key in --data-dir).")
  List<String> peers = new java.util.ArrayList<>();

  @Option(names = "--peers-file", description = "Peers, one per line in the --peer form (# comments).")
  Path peersFile;

  @Override
  public void run() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    RegistryConfig config = new RegistryConfig(host, port, null, zones, tlsCert, tlsKey, clientCa, requireClientCert);
    Database db = database.openForServer();
    CascadePolicy policy = new CascadePolicy(cascade, Duration.ofDays(graceDays), permanentAfter);
    List<org.serverhold.registry.federation.PeerConfig> peerConfigs = new java.util.ArrayList<>();
    peers.forEach(p -> peerConfigs.add(org.serverhold.registry.federation.PeerConfig.parse(p)));
    if (peersFile != null) {
      peerConfigs.addAll(org.serverhold.registry.federation.PeerConfig.parseFile(peersFile));
    }
    var federation = new org.serverhold.registry.federation.FederationSettings(registryId,
        org.serverhold.registry.federation.FederationKey.load(database.dataDir, System.getenv()));
    if (!peerConfigs.isEmpty() && !federation.enabled()) {
      throw new IllegalArgumentException("--peer needs the federation key: set "
          + org.serverhold.registry.federation.FederationKey.ENV + " or put it in "
          + database.dataDir.resolve(org.serverhold.registry.federation.FederationKey.FILE));
    }
    Registry registry = new Registry(db, KeyMaterial.load(database.dataDir, System.getenv()), config.zones(), policy,
        new RateLimiter(rateLimit, 2 * rateLimit), federation, Clock.systemUTC());
    registry.startJobs(Duration.ofSeconds(10), feedKeepVersions, Duration.ofDays(feedKeepDays));
    RegistryServer server = new RegistryServer(config, registry, registry.extraServices());
    peerConfigs.forEach(registry.federation::addPeer);
    boolean seeded = !noDemo && DemoWorld.seedIfNew(registry.credentials, server.port());
    LocalGateway gateway = noDns ? null : LocalGateway.start(registry, server.port(), database.dataDir, dns, upstreams, metrics,
        config.tls());
    MetricsEndpoint metricsEndpoint = "off".equals(registryMetrics) ? null : new MetricsEndpoint(
        hostPort(registryMetrics), () -> RegistryMetrics.render(registry.metricsSample()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (gateway != null) {
        gateway.close();
      }
      if (metricsEndpoint != null) {
        metricsEndpoint.close();
      }
      server.close();
      registry.close();
      db.close();
      stopped.countDown();
    }, "serverhold-shutdown"));
    var out = System.out;
    out.println("serverhold registry listening on " + host + ":" + server.port() + (config.tls() ? " (TLS)" : " (plaintext)")
        + (metricsEndpoint == null ? "" : ", metrics on http://" + registryMetrics + "/metrics"));
    if (gateway != null) {
      out.println("DNS gateway on " + dns + " (UDP and TCP), metrics on http://" + metrics + "/metrics"
          + (gateway.demoUpstream() ? ", forwarding to the built-in demo zones" : ", forwarding to " + upstreams));
      if (seeded || !noDemo) {
        int port = Integer.parseInt(dns.substring(dns.lastIndexOf(':') + 1));
        out.println("try it:");
        out.println("  dig @127.0.0.1 -p " + port + " example-filed.cn       # filed: resolves");
        out.println("  dig @127.0.0.1 -p " + port + " example-unfiled.cn     # not filed: NXDOMAIN with an Extended DNS Error");
        out.println("  dig @127.0.0.1 -p " + port + " casino-demo2.cn        # its holder was taken down");
      }
    }
    out.println("database: " + (database.url == null || database.url.isBlank()
        ? "embedded MariaDB under " + database.dataDir.toAbsolutePath() : database.url));
    out.println("managed zones: " + String.join(", ", registry.zones.asList()));
    out.println("federation: " + (federation.enabled() ? "registry id " + registryId + ", " + peerConfigs.size()
        + " peer(s): " + peerConfigs : "off (no federation key)"));
    out.println("first credentials (in another terminal, same --data-dir):");
    out.println("  serverhold admin registrar create reg-1 --name 'Registrar One'");
    out.println("  serverhold admin credential create --principal registrar-1 --role REGISTRAR --registrar reg-1");
    out.println("  serverhold admin credential create --principal bureau-1 --role REGULATOR");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static java.net.InetSocketAddress hostPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got " + value);
    }
    return new java.net.InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
  }
}
