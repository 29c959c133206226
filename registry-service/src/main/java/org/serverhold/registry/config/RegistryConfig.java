package org.serverhold.registry.config;

import java.nio.file.Path;
import java.util.List;
import org.serverhold.registry.database.DatabaseConfig;

/**
 * Everything the registry is configured with. TLS is on when certificate and key are given;
 * with a client CA, client certificates are requested and can be credentials.
 */
public record RegistryConfig(String host, int port, DatabaseConfig database, List<String> zones, Path tlsCert,
    Path tlsKey, Path clientCa, boolean requireClientCert) {
  public static final List<String> DEFAULT_ZONES = List.of("cn", "com.cn", "net.cn", "org.cn", "中国");

  public RegistryConfig {
    zones = List.copyOf(zones);
  }

  public boolean tls() {
    return tlsCert != null && tlsKey != null;
  }
}
