package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.HOLDER;

import java.time.Instant;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.IdentityType;
import org.serverhold.registry.schema.enums.BlacklistEntrySource;

/** Reads and writes blacklist entries. */
public final class BlacklistEntries {
  /** Inserts a local entry (MANUAL or TAKEDOWN); it is logged for export to peers in the same transaction. */
  public long insert(DSLContext tx, long holderId, String reason, String caseNumber, String authority,
      BlacklistEntry.Source source, String sourceRef, boolean permanent, String createdBy, Instant now, Instant expires) {
    return insert(tx, holderId, reason, caseNumber, authority, source, sourceRef, null, permanent, createdBy, now, expires);
  }

  /** Inserts an entry; {@code peerId} names the peer registry of a PEER entry (null otherwise). */
  public long insert(DSLContext tx, long holderId, String reason, String caseNumber, String authority,
      BlacklistEntry.Source source, String sourceRef, String peerId, boolean permanent, String createdBy, Instant now,
      Instant expires) {
    if ((source == BlacklistEntry.Source.PEER) != (peerId != null)) {
      throw new IllegalArgumentException("a PEER entry names its peer, and only it does");
    }
    tx.insertInto(BLACKLIST_ENTRY)
        .set(BLACKLIST_ENTRY.PEER_ID, peerId)
        .set(BLACKLIST_ENTRY.HOLDER_ID, holderId)
        .set(BLACKLIST_ENTRY.REASON, reason)
        .set(BLACKLIST_ENTRY.CASE_NUMBER, caseNumber)
        .set(BLACKLIST_ENTRY.AUTHORITY, authority)
        .set(BLACKLIST_ENTRY.SOURCE, BlacklistEntrySource.valueOf(source.name()))
        .set(BLACKLIST_ENTRY.SOURCE_REF, sourceRef)
        .set(BLACKLIST_ENTRY.PERMANENT, permanent)
        .set(BLACKLIST_ENTRY.CREATED_BY, createdBy)
        .set(BLACKLIST_ENTRY.CREATED_AT, Timestamps.toDb(now))
        .set(BLACKLIST_ENTRY.EXPIRES_AT, Timestamps.toDb(expires))
        .execute();
    long id = tx.lastID().longValue();
    BlacklistChangeLog.added(tx, id, source, now);
    return id;
  }

  /** Lifts the entries in force matching {@code which}; local ones are logged for export. Returns how many. */
  public int lift(DSLContext tx, Condition which, String liftedBy, String reason, Instant now) {
    List<Long> ids = tx.select(BLACKLIST_ENTRY.ID).from(BLACKLIST_ENTRY)
        .where(which, BLACKLIST_ENTRY.LIFTED_AT.isNull()).forUpdate().fetch(BLACKLIST_ENTRY.ID);
    if (ids.isEmpty()) {
      return 0;
    }
    int n = tx.update(BLACKLIST_ENTRY)
        .set(BLACKLIST_ENTRY.LIFTED_AT, Timestamps.toDb(now))
        .set(BLACKLIST_ENTRY.LIFTED_BY, liftedBy)
        .set(BLACKLIST_ENTRY.LIFT_REASON, reason)
        .where(BLACKLIST_ENTRY.ID.in(ids), BLACKLIST_ENTRY.LIFTED_AT.isNull())
        .execute();
    BlacklistChangeLog.lifted(tx, ids, now);
    return n;
  }

  public List<BlacklistEntry> list(DSLContext tx, Condition where, int limit) {
    return tx.select(BLACKLIST_ENTRY.asterisk(), HOLDER.IDENTITY_TYPE, HOLDER.NUMBER_LAST4, HOLDER.NAME,
            HOLDER.OFFENCE_COUNT)
        .from(BLACKLIST_ENTRY).join(HOLDER).on(HOLDER.ID.eq(BLACKLIST_ENTRY.HOLDER_ID))
        .where(where)
        .orderBy(BLACKLIST_ENTRY.ID)
        .limit(limit)
        .fetch(BlacklistEntries::toEntry);
  }

  static BlacklistEntry toEntry(Record r) {
    Holder holder = new Holder(r.get(BLACKLIST_ENTRY.HOLDER_ID), IdentityType.valueOf(r.get(HOLDER.IDENTITY_TYPE).name()),
        r.get(HOLDER.NUMBER_LAST4), r.get(HOLDER.NAME), r.get(HOLDER.OFFENCE_COUNT));
    return new BlacklistEntry(r.get(BLACKLIST_ENTRY.ID), holder, r.get(BLACKLIST_ENTRY.REASON),
        r.get(BLACKLIST_ENTRY.CASE_NUMBER), r.get(BLACKLIST_ENTRY.AUTHORITY),
        BlacklistEntry.Source.valueOf(r.get(BLACKLIST_ENTRY.SOURCE).name()), r.get(BLACKLIST_ENTRY.SOURCE_REF),
        r.get(BLACKLIST_ENTRY.PERMANENT), Timestamps.fromDb(r.get(BLACKLIST_ENTRY.CREATED_AT)),
        Timestamps.fromDb(r.get(BLACKLIST_ENTRY.EXPIRES_AT)), Timestamps.fromDb(r.get(BLACKLIST_ENTRY.LIFTED_AT)));
  }
}
