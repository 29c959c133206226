package org.serverhold.registry.federation;

import java.util.Optional;

/** This registry's id among the members and the shared key (none: federation off). */
public record FederationSettings(String registryId, Optional<FederationKey> key) {
  public FederationSettings {
    if (registryId == null || !registryId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("registry id must be 1-64 letters, digits, . _ -");
    }
  }

  public static FederationSettings none() {
    return new FederationSettings("local", Optional.empty());
  }

  public boolean enabled() {
    return key.isPresent();
  }
}
