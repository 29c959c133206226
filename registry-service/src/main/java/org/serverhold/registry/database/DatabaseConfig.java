package org.serverhold.registry.database;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the registry's state lives: an external MySQL-compatible server (url set) or, when no url
 * is configured, the embedded MariaDB under {@code dataDir}.
 */
public record DatabaseConfig(String url, String user, String password, Path dataDir, int poolSize) {
  public DatabaseConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    if (poolSize <= 0) {
      throw new IllegalArgumentException("poolSize must be positive");
    }
  }

  public boolean embedded() {
    return url == null || url.isBlank();
  }
}
