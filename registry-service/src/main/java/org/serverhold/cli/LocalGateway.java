package org.serverhold.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.serverhold.demo.DemoAuthority;
import org.serverhold.demo.DemoWorld;
import org.serverhold.registry.Registry;
import org.serverhold.registry.auth.Credential;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.resolver.ResolverApp;
import org.serverhold.resolver.ResolverConfig;

/**
 * The gateway {@code serve} runs beside the registry on one machine. It is an ordinary resolver
 * subscribed over gRPC (with a RESOLVER credential made for it at each start, the previous one
 * revoked), so the single-machine setup takes exactly the production path.
 */
final class LocalGateway implements AutoCloseable {
  static final String PRINCIPAL = "local-gateway";

  private final ResolverApp app;
  private final DemoAuthority demo;

  private LocalGateway(ResolverApp app, DemoAuthority demo) {
    this.app = app;
    this.demo = demo;
  }

  static LocalGateway start(Registry registry, int registryPort, Path dataDir, String listen, List<String> upstreams,
      String metrics, boolean registryTls) {
    if (registryTls) {
      throw new IllegalArgumentException("with TLS on, run the gateway with 'serverhold resolver run' and its own trust settings (or --no-dns)");
    }
    Principal setup = Principal.system("serve");
    for (Credential c : registry.credentials.list()) {
      if (c.principal().equals(PRINCIPAL) && c.active()) {
        registry.credentials.revoke(setup, c.id(), registry.clock.instant());
      }
    }
    String token = registry.credentials.createToken(setup, PRINCIPAL, Role.RESOLVER, null, List.of(), "gateway run by serve")
        .token();
    DemoAuthority demo = null;
    try {
      String upstream;
      if (upstreams.isEmpty()) {
        demo = DemoAuthority.start(DemoWorld.zoneFile());
        upstream = "127.0.0.1:" + demo.port();
      } else {
        upstream = String.join(",", upstreams);
      }
      Properties p = new Properties();
      p.setProperty("listen", listen);
      p.setProperty("upstreams", upstream);
      p.setProperty("metrics.listen", metrics);
      p.setProperty("registry.target", "127.0.0.1:" + registryPort);
      p.setProperty("registry.token", token);
      p.setProperty("resolver.id", PRINCIPAL);
      p.setProperty("policy.file", dataDir.resolve("gateway-policy.bin").toAbsolutePath().toString());
      p.setProperty("policy.zones", String.join(",", registry.zones.asList()));
      p.setProperty("denial.log", dataDir.resolve("denials.log").toAbsolutePath().toString());
      ResolverApp app = ResolverApp.start(ResolverConfig.fromProperties(p, dataDir));
      return new LocalGateway(app, demo);
    } catch (IOException e) {
      if (demo != null) {
        demo.close();
      }
      throw new UncheckedIOException("cannot start the DNS gateway on " + listen + ": " + e.getMessage(), e);
    }
  }

  boolean demoUpstream() {
    return demo != null;
  }

  ResolverApp app() {
    return app;
  }

  @Override
  public void close() {
    app.close();
    if (demo != null) {
      demo.close();
    }
  }
}
