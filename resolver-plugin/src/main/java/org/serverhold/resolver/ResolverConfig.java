package org.serverhold.resolver;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.serverhold.resolver.denial.DenialAction;
import org.serverhold.resolver.denial.DenialKind;
import org.serverhold.resolver.denial.DenialPolicy;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.server.GatewayConfig;
import org.serverhold.resolver.server.RateLimit;
import org.serverhold.resolver.sync.SyncConfig;

/**
 * The resolver's one configuration file, Java properties syntax. Keys (defaults in brackets):
 *
 * <pre>
 * listen                  host:port list, UDP+TCP each                   [127.0.0.1:5353]
 * upstreams               host:port list of recursive resolvers (required)
 * upstream.timeout-ms     per attempt                                    [1500]
 * upstream.sockets        UDP sockets per upstream                       [4]
 * cache.max-entries       0 disables                                     [100000]
 * cache.max-ttl-seconds                                                  [86400]
 * edns.udp-size           largest UDP answer                             [1232]
 * max-in-flight           concurrent queries                             [10000]
 * tcp.idle-timeout-ms                                                    [10000]
 * rrl.responses-per-second  UDP answers per client /24 (IPv4) or /56 (IPv6); 0 = off   [0]
 * rrl.slip                every slip-th limited answer is sent truncated (TC=1), the rest
 *                         dropped; 0 drops all, 1 truncates all                 [2]
 * denial.default.action   NXDOMAIN | NODATA | REFUSED | REDIRECT         [NXDOMAIN]
 * denial.default.ede      RFC 8914 code                                  [16]
 * denial.default.redirect notice page addresses (IPv4/IPv6), for REDIRECT
 * denial.redirect-ttl     TTL of redirect records                        [60]
 * denial.REASON.action / .ede / .redirect   per reason (NOT_FILED, TAKEDOWN, HOLDER_BLACKLISTED,
 *                         IDENTITY_UNVERIFIED, REGISTRAR_HOLD, FLAGGED, NOT_REGISTERED, PEER_DISPOSAL,
 *                         NO_POLICY, OTHER); unset parts fall back to denial.default.*
 * denial.log              JSON-lines file of denials (unset: none)
 * denial.log.limit-bytes  rotation size                                  [52428800]
 * denial.log.count        rotated files kept                             [5]
 * metrics.listen          host:port of GET /metrics (unset: none)
 * registry.target         gRPC target of the registry (unset: no feed, only policy.file)
 * registry.token          bearer token of a RESOLVER credential
 * registry.token-file     file holding the token (preferred over registry.token)
 * registry.tls            true | false                                   [false]
 * registry.tls.trust      PEM CA file to trust (unset: JDK trust store)
 * registry.keepalive-seconds   HTTP/2 keepalive (the registry must permit it; unset: none)
 * registry.backoff.min-ms / registry.backoff.max-ms                      [250 / 30000]
 * resolver.id             name in acknowledgements                       [host name]
 * policy.file             last known policy (persisted, loaded at start) (unset: none)
 * policy.fail-mode        closed | open, with no policy at all           [closed]
 * policy.zones            managed zones enforced before any policy arrives
 * </pre>
 */
public record ResolverConfig(GatewayConfig gateway, SyncConfig sync, Path policyFile, FailMode failMode,
    List<String> bootstrapZones) {

  public static ResolverConfig load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return fromProperties(p, file.toAbsolutePath().getParent());
  }

  /** Relative paths are resolved against {@code base}. */
  public static ResolverConfig fromProperties(Properties p, Path base) {
    KeyReader reader = new KeyReader(p, base);
    ResolverConfig config = reader.read();
    reader.rejectUnknown();
    return config;
  }

  private static final class KeyReader {
    private static final Set<String> FIXED = Set.of("listen", "upstreams", "upstream.timeout-ms", "upstream.sockets",
        "cache.max-entries", "cache.max-ttl-seconds", "edns.udp-size", "max-in-flight", "tcp.idle-timeout-ms",
        "denial.redirect-ttl", "denial.log", "denial.log.limit-bytes", "denial.log.count", "metrics.listen",
        "registry.target", "registry.token", "registry.token-file", "registry.tls", "registry.tls.trust",
        "registry.keepalive-seconds", "registry.backoff.min-ms", "registry.backoff.max-ms", "resolver.id",
        "policy.file", "policy.fail-mode", "policy.zones");
    private final Properties p;
    private final Path base;
    private final Set<String> used = new TreeSet<>();

    KeyReader(Properties p, Path base) {
      this.p = p;
      this.base = base == null ? Path.of("") : base;
    }

    String get(String key) {
      used.add(key);
      String v = p.getProperty(key);
      return v == null || v.isBlank() ? null : v.strip();
    }

    String get(String key, String def) {
      String v = get(key);
      return v == null ? def : v;
    }

    long number(String key, long def) {
      String v = get(key);
      try {
        return v == null ? def : Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not a number: " + v);
      }
    }

    Path path(String key) {
      String v = get(key);
      return v == null ? null : base.resolve(v);
    }

    List<String> list(String key) {
      String v = get(key);
      List<String> out = new ArrayList<>();
      if (v != null) {
        for (String s : v.split("[,\\s]+")) {
          if (!s.isBlank()) {
            out.add(s.strip());
          }
        }
      }
      return out;
    }

    List<InetSocketAddress> addresses(String key, String def, int defaultPort) {
      List<String> items = list(key);
      if (items.isEmpty() && def != null) {
        items = List.of(def);
      }
      List<InetSocketAddress> out = new ArrayList<>();
      for (String s : items) {
        out.add(address(key, s, defaultPort));
      }
      return out;
    }

    static InetSocketAddress address(String key, String s, int defaultPort) {
      String host;
      int port = defaultPort;
      if (s.startsWith("[")) {
        int end = s.indexOf(']');
        host = s.substring(1, end);
        if (end + 1 < s.length() && s.charAt(end + 1) == ':') {
          port = Integer.parseInt(s.substring(end + 2));
        }
      } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
        host = s.substring(0, s.indexOf(':'));
        port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
      } else {
        host = s;
      }
      try {
        return new InetSocketAddress(InetAddress.getByName(host), port);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(key + ": unknown host " + host);
      }
    }

    DenialAction action(String prefix, DenialAction fallback, long redirectTtl) {
      String kind = get(prefix + ".action");
      String ede = get(prefix + ".ede");
      List<String> redirect = list(prefix + ".redirect");
      if (kind == null && ede == null && redirect.isEmpty() && fallback != null) {
        return fallback;
      }
      DenialAction base = fallback == null ? DenialAction.DEFAULT : fallback;
      List<InetAddress> addresses = new ArrayList<>();
      for (String a : redirect) {
        try {
          addresses.add(InetAddress.getByName(a));
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException(prefix + ".redirect: bad address " + a);
        }
      }
      try {
        return new DenialAction(kind == null ? base.kind() : DenialKind.valueOf(kind.toUpperCase(Locale.ROOT)),
            ede == null ? base.edeCode() : Integer.parseInt(ede), addresses.isEmpty() ? base.redirect() : addresses,
            redirectTtl);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
      }
    }

    ResolverConfig read() {
      long redirectTtl = number("denial.redirect-ttl", 60);
      DenialAction def = action("denial.default", null, redirectTtl);
      Map<DenyReason, DenialAction> byReason = new EnumMap<>(DenyReason.class);
      for (DenyReason r : DenyReason.values()) {
        DenialAction a = action("denial." + r.name(), def, redirectTtl);
        if (a != def) {
          byReason.put(r, a);
        }
      }
      List<InetSocketAddress> upstreams = addresses("upstreams", null, 53);
      if (upstreams.isEmpty()) {
        throw new IllegalArgumentException("upstreams: at least one recursive resolver is required");
      }
      String metrics = get("metrics.listen");
      GatewayConfig gateway = new GatewayConfig(
          addresses("listen", "127.0.0.1:5353", 53), upstreams,
          Duration.ofMillis(number("upstream.timeout-ms", 1500)), (int) number("upstream.sockets", 4),
          (int) number("cache.max-entries", 100_000), Duration.ofSeconds(number("cache.max-ttl-seconds", 86_400)),
          (int) number("edns.udp-size", 1232), new DenialPolicy(def, byReason), path("denial.log"),
          number("denial.log.limit-bytes", 50L << 20), (int) number("denial.log.count", 5),
          metrics == null ? null : address("metrics.listen", metrics, 9153),
          (int) number("max-in-flight", 10_000), Duration.ofMillis(number("tcp.idle-timeout-ms", 10_000)),
          new RateLimit((int) number("rrl.responses-per-second", 0), (int) number("rrl.slip", 2)));

      Path policyFile = path("policy.file");
      String failMode = get("policy.fail-mode", "closed");
      FailMode mode;
      try {
        mode = FailMode.valueOf(failMode.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("policy.fail-mode: closed or open, not " + failMode);
      }
      List<String> zones = list("policy.zones");

      SyncConfig sync = null;
      String target = get("registry.target");
      if (target != null) {
        String token = get("registry.token");
        Path tokenFile = path("registry.token-file");
        if (tokenFile != null) {
          try {
            token = Files.readString(tokenFile).strip();
          } catch (IOException e) {
            throw new IllegalArgumentException("registry.token-file: cannot read " + tokenFile, e);
          }
        }
        long keepalive = number("registry.keepalive-seconds", 0);
        sync = new SyncConfig(target, token, Boolean.parseBoolean(get("registry.tls", "false")),
            path("registry.tls.trust"), get("resolver.id", hostName()), policyFile,
            Duration.ofMillis(number("registry.backoff.min-ms", 250)),
            Duration.ofMillis(number("registry.backoff.max-ms", 30_000)), 0,
            keepalive > 0 ? Duration.ofSeconds(keepalive) : null);
      } else {
        get("registry.token");
        get("registry.token-file");
        get("registry.tls");
        get("registry.tls.trust");
        get("registry.keepalive-seconds");
        get("registry.backoff.min-ms");
        get("registry.backoff.max-ms");
        get("resolver.id");
      }
      return new ResolverConfig(gateway, sync, policyFile, mode, zones);
    }

    /** A misspelt key silently ignored is a policy silently not applied: refuse it. */
    void rejectUnknown() {
      for (String key : p.stringPropertyNames()) {
        if (!used.contains(key) && !FIXED.contains(key)) {
          throw new IllegalArgumentException("unknown configuration key: " + key);
        }
      }
    }

    private static String hostName() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return "resolver";
      }
    }
  }
}
