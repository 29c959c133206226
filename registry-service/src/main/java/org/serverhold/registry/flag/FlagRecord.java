package org.serverhold.registry.flag;

import java.time.Instant;

/** A name the bureau wants refused. */
public record FlagRecord(long id, String name, boolean subtree, String authority, String caseNumber, String reason,
    Instant created, Instant expires, Instant lifted) {
  public boolean inForce(Instant now) {
    return lifted == null && (expires == null || expires.isAfter(now));
  }
}
