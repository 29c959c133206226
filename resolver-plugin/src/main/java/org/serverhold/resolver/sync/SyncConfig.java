package org.serverhold.resolver.sync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the registry's policy feed.
 *
 * @param target        gRPC target, e.g. {@code registry.example:8443} or {@code dns:///host:port}
 * @param token         bearer token of a RESOLVER credential (null: none)
 * @param tls           use TLS
 * @param trustCertFile PEM file of CA certificates to trust (null: the JDK's default trust store)
 * @param resolverId    this gateway's name in acknowledgements
 * @param policyFile    where the last known policy is persisted (null: not persisted)
 * @param backoffMin    first reconnect delay
 * @param backoffMax    reconnect delay ceiling
 * @param snapshotChunk entries per snapshot chunk asked for (0: server default)
 * @param keepAlive     HTTP/2 keepalive interval (the server must permit it; null: none)
 */
public record SyncConfig(String target, String token, boolean tls, Path trustCertFile, String resolverId,
    Path policyFile, Duration backoffMin, Duration backoffMax, int snapshotChunk, Duration keepAlive) {

  public SyncConfig {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(resolverId, "resolverId");
    backoffMin = backoffMin == null ? Duration.ofMillis(250) : backoffMin;
    backoffMax = backoffMax == null ? Duration.ofSeconds(30) : backoffMax;
  }

  /** Plain-text, no token: for tests and loopback registries. */
  public static SyncConfig insecure(String target, String resolverId, Path policyFile) {
    return new SyncConfig(target, null, false, null, resolverId, policyFile, null, null, 0, null);
  }

  public SyncConfig withBackoff(Duration min, Duration max) {
    return new SyncConfig(target, token, tls, trustCertFile, resolverId, policyFile, min, max, snapshotChunk, keepAlive);
  }

  public SyncConfig withToken(String newToken) {
    return new SyncConfig(target, newToken, tls, trustCertFile, resolverId, policyFile, backoffMin, backoffMax,
        snapshotChunk, keepAlive);
  }
}
