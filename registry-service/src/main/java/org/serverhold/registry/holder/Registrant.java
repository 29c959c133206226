package org.serverhold.registry.holder;

import java.time.Instant;

/** A registrar's contact record for a holder. */
public record Registrant(long id, String registrarId, String handle, long holderId, String email, String phone,
    Instant verifiedAt) {
  public boolean verified() {
    return verifiedAt != null;
  }
}
