package org.serverhold.registry;

import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.serverhold.registry.config.RegistryConfig;

/** The gRPC server: every service behind authentication, plus open health and reflection. */
public final class RegistryServer implements AutoCloseable {
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();

  public RegistryServer(RegistryConfig config, Registry registry, List<BindableService> extra) {
    try {
      var builder = Grpc.newServerBuilderForPort(config.port(), credentials(config));
      if (!"0.0.0.0".equals(config.host()) && !config.host().isEmpty()) {
        builder = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
            .forAddress(new InetSocketAddress(config.host(), config.port()), credentials(config));
      }
      builder.addService(ServerInterceptors.intercept(registry.registrarService, registry.authInterceptor))
          .addService(ServerInterceptors.intercept(registry.filingService, registry.authInterceptor))
          .addService(ServerInterceptors.intercept(registry.enforcementService, registry.authInterceptor))
          .addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .maxInboundMessageSize(4 * 1024 * 1024);
      for (BindableService s : extra) {
        builder.addService(ServerInterceptors.intercept(s, registry.authInterceptor));
      }
      this.server = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
    }
    health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
  }

  private static ServerCredentials credentials(RegistryConfig config) throws IOException {
    if (!config.tls()) {
      return InsecureServerCredentials.create();
    }
    var tls = TlsServerCredentials.newBuilder().keyManager(config.tlsCert().toFile(), config.tlsKey().toFile());
    if (config.clientCa() != null) {
      tls.trustManager(config.clientCa().toFile());
      tls.clientAuth(config.requireClientCert() ? TlsServerCredentials.ClientAuth.REQUIRE
          : TlsServerCredentials.ClientAuth.OPTIONAL);
    }
    return tls.build();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
