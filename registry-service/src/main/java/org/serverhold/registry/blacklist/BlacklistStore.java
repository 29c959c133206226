package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;

import java.time.Instant;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Timestamps;

/** Whether a holder is blacklisted: any entry not lifted and not expired. */
public final class BlacklistStore {
  /**
   * Entries imported from peers for identities with no holder here yet ("shadow" entries): they
   * refuse the identity too. Set by the federation; none without it.
   */
  public interface ShadowEntries {
    /** The peers whose in-force entries name this identity (empty: none). */
    java.util.List<String> peersFor(DSLContext tx, org.serverhold.registry.holder.Identity identity, Instant now);
  }

  private volatile ShadowEntries shadows = (tx, identity, now) -> java.util.List.of();

  public void federate(ShadowEntries shadows) {
    this.shadows = shadows;
  }

  /** The peers blacklisting an identity that is not a holder here (CheckRegistration of a new identity). */
  public java.util.List<String> shadowSources(DSLContext tx, org.serverhold.registry.holder.Identity identity, Instant now) {
    return shadows.peersFor(tx, identity, now);
  }

  public boolean isBlacklisted(DSLContext tx, long holderId, Instant now) {
    return tx.fetchExists(BLACKLIST_ENTRY, BLACKLIST_ENTRY.HOLDER_ID.eq(holderId), inForce(now));
  }

  /**
   * Whether a manual entry is in force. A takedown's own entry acts on the holder's domains
   * through the takedown's holds; a peer's entry through the PEER_DISPOSAL holds its disposal
   * mode places (none when the peer is configured to "record" only); manual entries through
   * HOLDER_BLACKLISTED holds.
   */
  public boolean hasStandingEntry(DSLContext tx, long holderId, Instant now) {
    return tx.fetchExists(BLACKLIST_ENTRY, BLACKLIST_ENTRY.HOLDER_ID.eq(holderId), inForce(now),
        BLACKLIST_ENTRY.SOURCE.eq(org.serverhold.registry.schema.enums.BlacklistEntrySource.MANUAL));
  }

  /**
   * Where the entries in force against a holder come from: "local" for this registry's own,
   * the peer's id for imported ones. Sorted, without repeats (error details, reports).
   */
  public java.util.List<String> sources(DSLContext tx, long holderId, Instant now) {
    return tx.selectDistinct(org.jooq.impl.DSL.coalesce(BLACKLIST_ENTRY.PEER_ID, "local").as("src"))
        .from(BLACKLIST_ENTRY).where(BLACKLIST_ENTRY.HOLDER_ID.eq(holderId), inForce(now))
        .fetch(0, String.class).stream().sorted().toList();
  }

  public static Condition inForce(Instant now) {
    return BLACKLIST_ENTRY.LIFTED_AT.isNull()
        .and(BLACKLIST_ENTRY.EXPIRES_AT.isNull().or(BLACKLIST_ENTRY.EXPIRES_AT.gt(Timestamps.toDb(now))));
  }
}
