package org.serverhold.registry.federation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.holder.IdentityType;

/**
 * The key every member of a federation shares: entries are exchanged under
 * HMAC-SHA256(key, type | normalized number), so members match holders without sending numbers.
 * From {@code SERVERHOLD_FEDERATION_KEY} (base64) or the file {@code federation.key} (base64) in
 * the data directory. It is never generated here: the members agree on it out of band. Without
 * it the registry neither exports nor imports.
 */
public final class FederationKey {
  public static final String ENV = "SERVERHOLD_FEDERATION_KEY";
  public static final String FILE = "federation.key";

  private final SecretKeySpec key;

  public FederationKey(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("the federation key must be at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  public static Optional<FederationKey> load(Path dataDir, Map<String, String> env) {
    String value = env.get(ENV);
    if (value == null || value.isBlank()) {
      Path file = dataDir == null ? null : dataDir.resolve(FILE);
      if (file == null || !Files.exists(file)) {
        return Optional.empty();
      }
      try {
        value = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    try {
      return Optional.of(new FederationKey(Base64.getDecoder().decode(value.strip())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the federation key is not base64 of 32+ bytes: " + e.getMessage());
    }
  }

  /** The federation fingerprint of a normalized identity. */
  public byte[] fingerprint(IdentityType type, String normalizedNumber) {
    return HolderKeys.fingerprint(key, type, normalizedNumber);
  }

  @Override
  public String toString() {
    return "FederationKey[****]";
  }
}
