package org.serverhold.registry.takedown;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.TAKEDOWN;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.schema.enums.TakedownCascadeMode;
import org.serverhold.registry.schema.enums.TakedownState;
import org.serverhold.registry.schema.tables.records.TakedownRecord;

/** Takedown orders. */
public final class TakedownStore {
  public long insert(DSLContext tx, String domain, long domainId, long holderId, String authority, String caseNumber,
      String reason, CascadePolicy.Mode mode, Instant deadline, String issuedBy, String requestId, Instant now) {
    tx.insertInto(TAKEDOWN)
        .set(TAKEDOWN.DOMAIN_NAME, domain)
        .set(TAKEDOWN.DOMAIN_ID, domainId)
        .set(TAKEDOWN.HOLDER_ID, holderId)
        .set(TAKEDOWN.AUTHORITY, authority)
        .set(TAKEDOWN.CASE_NUMBER, caseNumber)
        .set(TAKEDOWN.REASON, reason)
        .set(TAKEDOWN.STATE, TakedownState.IN_FORCE)
        .set(TAKEDOWN.CASCADE_MODE, TakedownCascadeMode.valueOf(mode.name()))
        .set(TAKEDOWN.CASCADE_DEADLINE, Timestamps.toDb(deadline))
        .set(TAKEDOWN.CASCADE_APPLIED_AT, mode == CascadePolicy.Mode.IMMEDIATE ? Timestamps.toDb(now) : null)
        .set(TAKEDOWN.DOMAINS_SUSPENDED, 0)
        .set(TAKEDOWN.CASCADE_COUNT, 0)
        .set(TAKEDOWN.POLICY_VERSION, 0L)
        .set(TAKEDOWN.ISSUED_BY, issuedBy)
        .set(TAKEDOWN.ISSUED_AT, Timestamps.toDb(now))
        .set(TAKEDOWN.REQUEST_ID, requestId)
        .execute();
    return tx.lastID().longValue();
  }

  public Optional<TakedownRecord> lock(DSLContext tx, long id) {
    return tx.selectFrom(TAKEDOWN).where(TAKEDOWN.ID.eq(id)).forUpdate().fetchOptional();
  }

  public Optional<TakedownOrder> find(DSLContext tx, long id, Instant now) {
    return list(tx, TAKEDOWN.ID.eq(id), 1, now).stream().findFirst();
  }

  public List<TakedownOrder> list(DSLContext tx, Condition where, int limit, Instant now) {
    return tx.selectFrom(TAKEDOWN).where(where).orderBy(TAKEDOWN.ID.desc()).limit(limit).fetch()
        .map(r -> toOrder(tx, r, now));
  }

  static TakedownOrder toOrder(DSLContext tx, TakedownRecord r, Instant now) {
    boolean blacklisted = tx.fetchExists(BLACKLIST_ENTRY, BLACKLIST_ENTRY.HOLDER_ID.eq(r.getHolderId()),
        BlacklistStore.inForce(now));
    return new TakedownOrder(r.getId(), r.getDomainName(), r.getHolderId(), r.getAuthority(), r.getCaseNumber(),
        r.getReason(), r.getState() == TakedownState.IN_FORCE, CascadePolicy.Mode.valueOf(r.getCascadeMode().name()),
        Timestamps.fromDb(r.getCascadeDeadline()), Timestamps.fromDb(r.getCascadeAppliedAt()), r.getDomainsSuspended(),
        r.getCascadeCount(), blacklisted, r.getPolicyVersion(), Timestamps.fromDb(r.getIssuedAt()), r.getIssuedBy(),
        Timestamps.fromDb(r.getLiftedAt()), r.getLiftedBy(), r.getLiftReason(), r.getLiftAuthority());
  }
}
