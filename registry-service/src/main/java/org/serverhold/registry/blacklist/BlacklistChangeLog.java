package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.FEDERATION_CHANGE;
import static org.serverhold.registry.schema.Tables.FEDERATION_HEAD;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;
import org.serverhold.registry.schema.enums.BlacklistEntrySource;
import org.serverhold.registry.schema.enums.FederationChangeKind;

/**
 * The log of this registry's own blacklist changes that peers replay (FederationService): one
 * row per addition or lift of a MANUAL or TAKEDOWN entry. Entries imported from peers are never
 * logged, so nothing is re-exported as if it were local and no change can loop between members.
 *
 * <p>Written in the transaction that changes the entry. The version is taken under the head row,
 * locked FOR UPDATE until commit: versions are gap-free and in commit order (as for the policy
 * feed). Identity data is not copied here; the exporter reads it from the entry and its holder.
 */
public final class BlacklistChangeLog {
  private BlacklistChangeLog() {}

  /** Logs the addition of entry {@code entryId} if it is a local one. Returns the version, or -1. */
  public static long added(DSLContext tx, long entryId, BlacklistEntry.Source source, Instant now) {
    if (source == BlacklistEntry.Source.PEER) {
      return -1;
    }
    return append(tx, FederationChangeKind.ADD, List.of(entryId), now);
  }

  /** Logs the lift of those of {@code entryIds} that are local entries. Returns the last version, or -1. */
  public static long lifted(DSLContext tx, Collection<Long> entryIds, Instant now) {
    if (entryIds.isEmpty()) {
      return -1;
    }
    List<Long> local = tx.select(BLACKLIST_ENTRY.ID).from(BLACKLIST_ENTRY)
        .where(BLACKLIST_ENTRY.ID.in(entryIds), BLACKLIST_ENTRY.SOURCE.ne(BlacklistEntrySource.PEER))
        .orderBy(BLACKLIST_ENTRY.ID).fetch(BLACKLIST_ENTRY.ID);
    return local.isEmpty() ? -1 : append(tx, FederationChangeKind.LIFT, local, now);
  }

  private static long append(DSLContext tx, FederationChangeKind kind, List<Long> ids, Instant now) {
    long head = tx.select(FEDERATION_HEAD.VERSION).from(FEDERATION_HEAD).where(FEDERATION_HEAD.ID.eq(1)).forUpdate()
        .fetchSingle(FEDERATION_HEAD.VERSION);
    var insert = tx.insertInto(FEDERATION_CHANGE, FEDERATION_CHANGE.VERSION, FEDERATION_CHANGE.KIND,
        FEDERATION_CHANGE.ENTRY_ID, FEDERATION_CHANGE.COMMITTED_MS);
    long version = head;
    for (long id : ids) {
      insert = insert.values(++version, kind, id, now.toEpochMilli());
    }
    insert.execute();
    tx.update(FEDERATION_HEAD).set(FEDERATION_HEAD.VERSION, version).where(FEDERATION_HEAD.ID.eq(1)).execute();
    return version;
  }
}
