package org.serverhold.resolver.denial;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * The configured answer to one deny reason.
 *
 * @param edeCode     RFC 8914 Extended DNS Error code; 16 (Censored) because the requirement
 *                    comes from an authority outside the DNS operator
 * @param redirect    notice page addresses for {@link DenialKind#REDIRECT}
 * @param redirectTtl TTL of the redirect records, seconds
 */
public record DenialAction(DenialKind kind, int edeCode, List<InetAddress> redirect, long redirectTtl) {
  public static final int CENSORED = 16;
  /**
   * Notice page addresses per family at most: each one makes every redirect answer bigger (16
   * bytes per A, 28 per AAAA record), and a denial must not become a reflection amplifier.
   */
  public static final int MAX_REDIRECT_PER_FAMILY = 4;
  public static final DenialAction DEFAULT = new DenialAction(DenialKind.NXDOMAIN, CENSORED, List.of(), 60);

  public DenialAction {
    Objects.requireNonNull(kind, "kind");
    redirect = List.copyOf(redirect);
    if (edeCode < 0 || edeCode > 0xffff) {
      throw new IllegalArgumentException("EDE code out of range: " + edeCode);
    }
    if (kind == DenialKind.REDIRECT && redirect.isEmpty()) {
      throw new IllegalArgumentException("REDIRECT needs at least one notice page address");
    }
    if (redirect.stream().filter(a -> a instanceof Inet4Address).count() > MAX_REDIRECT_PER_FAMILY
        || redirect.stream().filter(a -> a instanceof Inet6Address).count() > MAX_REDIRECT_PER_FAMILY) {
      throw new IllegalArgumentException("at most " + MAX_REDIRECT_PER_FAMILY
          + " redirect addresses per family (IPv4, IPv6): denial answers must stay small");
    }
  }

  public List<InetAddress> redirectV4() {
    return redirect.stream().filter(a -> a instanceof Inet4Address).toList();
  }

  public List<InetAddress> redirectV6() {
    return redirect.stream().filter(a -> a instanceof Inet6Address).toList();
  }
}
