package org.serverhold.registry.name;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The zones this registry runs (e.g. {@code cn}, {@code com.cn}, {@code xn--fiqs8s}). A registrable
 * name is exactly one label below the longest managed zone that contains it.
 */
public final class ManagedZones {
  private final Set<String> zones;

  public ManagedZones(Collection<String> asciiZones) {
    this.zones = Set.copyOf(asciiZones);
  }

  /** Normalizes the configured zones (Unicode allowed) with the same rules as every name. */
  public static ManagedZones parse(DomainNames names, Collection<String> configured) {
    TreeSet<String> out = new TreeSet<>();
    for (String z : configured) {
      out.add(names.normalize("zones", z).ascii());
    }
    return new ManagedZones(out);
  }

  /** The longest managed zone equal to or above {@code ascii}. */
  public Optional<String> zoneOf(String ascii) {
    for (String candidate = ascii; candidate != null; candidate = DomainName.parentOf(candidate)) {
      if (zones.contains(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** True when {@code ascii} is exactly one label below {@code zone}. */
  public static boolean isRegistrableUnder(String ascii, String zone) {
    return ascii.length() > zone.length() + 1
        && ascii.endsWith(zone)
        && ascii.charAt(ascii.length() - zone.length() - 1) == '.'
        && ascii.lastIndexOf('.', ascii.length() - zone.length() - 2) < 0;
  }

  public boolean isManaged(String zone) {
    return zones.contains(zone);
  }

  public List<String> asList() {
    return List.copyOf(new TreeSet<>(zones));
  }
}
