package org.serverhold.cli;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.AbstractStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.serverhold.registry.auth.BearerCredentials;
import picocli.CommandLine.Option;

/** How a client subcommand reaches a running registry, and with which credential. */
public final class ClientOptions {
  @Option(names = "--registry", defaultValue = "${env:SERVERHOLD_REGISTRY:-127.0.0.1:7400}",
      description = "Registry address host:port (default: ${DEFAULT-VALUE}).")
  String registry;

  @Option(names = "--token", defaultValue = "${env:SERVERHOLD_TOKEN}",
      description = "Bearer token (prefer the SERVERHOLD_TOKEN environment variable: arguments show in ps).")
  String token;

  @Option(names = "--tls-ca", description = "Use TLS, trusting this CA (PEM).")
  Path tlsCa;

  @Option(names = "--request-id", description = "Idempotency key for a change (default: a new random one).")
  String requestId;

  @Option(names = "--timeout", defaultValue = "30", description = "Seconds to wait for an answer (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  ManagedChannel channel() {
    int colon = registry.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("--registry must be host:port");
    }
    ChannelCredentials creds;
    try {
      creds = tlsCa == null ? InsecureChannelCredentials.create()
          : TlsChannelCredentials.newBuilder().trustManager(tlsCa.toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + tlsCa, e);
    }
    return Grpc.newChannelBuilderForAddress(registry.substring(0, colon), Integer.parseInt(registry.substring(colon + 1)),
        creds).build();
  }

  <S extends AbstractStub<S>> S stub(S stub) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no credential: set SERVERHOLD_TOKEN or pass --token");
    }
    String bearer = token.strip();
    return stub.withCallCredentials(new BearerCredentials(bearer)).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
  }

  String requestId() {
    return requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId;
  }

  /** Runs {@code body} with a channel that is closed afterwards. */
  <T> T with(java.util.function.Function<ManagedChannel, T> body) {
    ManagedChannel channel = channel();
    try {
      return body.apply(channel);
    } finally {
      channel.shutdownNow();
    }
  }
}
