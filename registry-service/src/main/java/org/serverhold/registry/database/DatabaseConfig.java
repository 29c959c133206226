package org.serverhold.registry.database;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the registry's state lives: an external MySQL-compatible server (url set) or, when no url
 * is configured, the embedded MariaDB under {@code dataDir}.
 */
public record DatabaseConfig(String url, String user, String password, Path dataDir, int poolSize,
    Duration connectionTimeout) {
  /** How long a call waits for a pooled connection before it is answered UNAVAILABLE. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);

  public DatabaseConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    if (poolSize <= 0) {
      throw new IllegalArgumentException("poolSize must be positive");
    }
    if (connectionTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("connectionTimeout must be at least 250 ms (HikariCP's minimum)");
    }
  }

  public DatabaseConfig(String url, String user, String password, Path dataDir, int poolSize) {
    this(url, user, password, dataDir, poolSize, DEFAULT_CONNECTION_TIMEOUT);
  }

  public boolean embedded() {
    return url == null || url.isBlank();
  }
}
