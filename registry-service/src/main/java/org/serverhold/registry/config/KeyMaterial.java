package org.serverhold.registry.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import org.serverhold.registry.holder.HolderKeys;

/**
 * The holder keys: from the environment ({@code SERVERHOLD_HMAC_KEY}, {@code
 * SERVERHOLD_ENCRYPTION_KEY}, base64) in production, else from {@code keys.properties} in the data
 * directory, created with owner-only permissions on first start. Losing them makes stored
 * numbers unreadable and holders unmatchable: back the file up with the database.
 */
public final class KeyMaterial {
  private KeyMaterial() {}

  public static HolderKeys load(Path dataDir, Map<String, String> env) {
    String hmac = env.get("SERVERHOLD_HMAC_KEY");
    String aes = env.get("SERVERHOLD_ENCRYPTION_KEY");
    if (hmac != null && aes != null) {
      return new HolderKeys(Base64.getDecoder().decode(hmac), Base64.getDecoder().decode(aes));
    }
    Path file = dataDir.resolve("keys.properties");
    try {
      Files.createDirectories(dataDir);
      Properties p = new Properties();
      if (Files.exists(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          p.load(in);
        }
      } else {
        p.setProperty("hmac", Base64.getEncoder().encodeToString(HolderKeys.newKey()));
        p.setProperty("aes", Base64.getEncoder().encodeToString(HolderKeys.newKey()));
        Path tmp = dataDir.resolve("keys.properties.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
          p.store(out, "serverhold holder keys: keep secret, back up with the database");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return new HolderKeys(Base64.getDecoder().decode(p.getProperty("hmac")), Base64.getDecoder().decode(p.getProperty("aes")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }
}
