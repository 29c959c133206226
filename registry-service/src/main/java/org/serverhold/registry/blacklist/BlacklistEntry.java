package org.serverhold.registry.blacklist;

import java.time.Instant;
import org.serverhold.registry.holder.Holder;

/** One reason a holder is refused registrations, with its provenance. */
public record BlacklistEntry(long id, Holder holder, String reason, String caseNumber, String authority,
    Source source, String sourceRef, boolean permanent, Instant created, Instant expires, Instant lifted) {
  /** Where the entry came from. */
  public enum Source {
    MANUAL,
    TAKEDOWN,
    PEER
  }

  public boolean inForce(Instant now) {
    return lifted == null && (expires == null || expires.isAfter(now));
  }
}
