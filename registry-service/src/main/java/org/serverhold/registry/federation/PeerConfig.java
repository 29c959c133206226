package org.serverhold.registry.federation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One peer registry to import from: our name for it, its address, the PEER token it issued to
 * us, TLS (with an optional CA to trust) and what to do with its entries.
 *
 * <p>Text form (the {@code --peer} option, one line of a peers file):
 * {@code id=reg-b,target=host:7400,token-file=/etc/serverhold/reg-b.token,mode=suspend[,tls=true][,tls-ca=ca.pem]}.
 */
public record PeerConfig(String id, String target, String token, boolean tls, Path tlsCa, DisposalMode mode) {
  private static final Set<String> KEYS = Set.of("id", "target", "token-file", "token", "mode", "tls", "tls-ca");

  public PeerConfig {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("peer id must be 1-64 letters, digits, . _ -");
    }
    if (target == null || target.lastIndexOf(':') < 1) {
      throw new IllegalArgumentException("peer " + id + ": target must be host:port");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("peer " + id + ": a token (token-file=...) is required");
    }
    token = token.strip();
    if (mode == null) {
      mode = DisposalMode.RECORD;
    }
  }

  public String host() {
    return target.substring(0, target.lastIndexOf(':'));
  }

  public int port() {
    return Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
  }

  public static PeerConfig parse(String spec) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("peer option '" + part + "' is not key=value");
      }
      String k = part.substring(0, eq).strip();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown peer option '" + k + "' (known: " + KEYS + ")");
      }
      kv.put(k, part.substring(eq + 1).strip());
    }
    String token = kv.get("token");
    if (kv.containsKey("token-file")) {
      try {
        token = Files.readString(Path.of(kv.get("token-file")), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the token file of peer " + kv.get("id"), e);
      }
    }
    Path ca = kv.containsKey("tls-ca") ? Path.of(kv.get("tls-ca")) : null;
    boolean tls = ca != null || Boolean.parseBoolean(kv.getOrDefault("tls", "false"));
    return new PeerConfig(kv.get("id"), kv.get("target"), token, tls, ca,
        kv.containsKey("mode") ? DisposalMode.parse(kv.get("mode")) : DisposalMode.RECORD);
  }

  /** A peers file: one peer per line in the text form; blank lines and lines starting with # are skipped. */
  public static List<PeerConfig> parseFile(Path file) {
    try {
      List<PeerConfig> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.strip().startsWith("#")) {
          out.add(parse(line.strip()));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read peers file " + file, e);
    }
  }

  @Override
  public String toString() {
    return "PeerConfig[" + id + " " + target + (tls ? " tls" : "") + " " + mode.label() + "]";
  }
}
