package org.serverhold.registry.auth;

import java.time.Instant;
import java.util.List;

/** A stored credential (never the token itself: only its hash is stored). */
public record Credential(long id, String principal, Role role, String registrarId, List<Cidr> allowedSources,
    String description, boolean byCertificate, Instant created, Instant revoked) {
  public boolean active() {
    return revoked == null;
  }

  public Principal asPrincipal() {
    return new Principal(principal, role, registrarId, id);
  }
}
