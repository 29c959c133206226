package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;

import java.time.Instant;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Timestamps;

/** Whether a holder is blacklisted: any entry not lifted and not expired. */
public final class BlacklistStore {
  public boolean isBlacklisted(DSLContext tx, long holderId, Instant now) {
    return tx.fetchExists(BLACKLIST_ENTRY, BLACKLIST_ENTRY.HOLDER_ID.eq(holderId), inForce(now));
  }

  /**
   * Whether an entry other than a takedown's is in force. A takedown's own entry acts on the
   * holder's domains through the takedown's holds; the others through HOLDER_BLACKLISTED holds.
   */
  public boolean hasStandingEntry(DSLContext tx, long holderId, Instant now) {
    return tx.fetchExists(BLACKLIST_ENTRY, BLACKLIST_ENTRY.HOLDER_ID.eq(holderId), inForce(now),
        BLACKLIST_ENTRY.SOURCE.ne(org.serverhold.registry.schema.enums.BlacklistEntrySource.TAKEDOWN));
  }

  public static Condition inForce(Instant now) {
    return BLACKLIST_ENTRY.LIFTED_AT.isNull()
        .and(BLACKLIST_ENTRY.EXPIRES_AT.isNull().or(BLACKLIST_ENTRY.EXPIRES_AT.gt(Timestamps.toDb(now))));
  }
}
