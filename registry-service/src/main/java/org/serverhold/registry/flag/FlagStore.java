package org.serverhold.registry.flag;

import static org.serverhold.registry.schema.Tables.FLAG;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.schema.enums.FlagScope;

/** Flags in force: a flag on the name itself, or a subtree flag on the name or any ancestor. */
public final class FlagStore {
  public java.util.Optional<FlagRecord> byId(DSLContext tx, long id) {
    return tx.selectFrom(FLAG).where(FLAG.ID.eq(id)).fetchOptional().map(FlagStore::toRecord);
  }

  public List<FlagRecord> list(DSLContext tx, org.jooq.Condition where, int limit) {
    return tx.selectFrom(FLAG).where(where).orderBy(FLAG.ID).limit(limit).fetch().map(FlagStore::toRecord);
  }

  public int lift(DSLContext tx, org.jooq.Condition which, String liftedBy, String reason, Instant now) {
    return tx.update(FLAG).set(FLAG.LIFTED_AT, Timestamps.toDb(now)).set(FLAG.LIFTED_BY, liftedBy)
        .set(FLAG.LIFT_REASON, reason).where(which, FLAG.LIFTED_AT.isNull()).execute();
  }

  static FlagRecord toRecord(org.serverhold.registry.schema.tables.records.FlagRecord r) {
    return new FlagRecord(r.getId(), r.getName(), r.getScope() == FlagScope.SUBTREE, r.getAuthority(), r.getCaseNumber(),
        r.getReason(), Timestamps.fromDb(r.getCreatedAt()), Timestamps.fromDb(r.getExpiresAt()),
        Timestamps.fromDb(r.getLiftedAt()));
  }

  public boolean isFlagged(DSLContext tx, String ascii, Instant now) {
    List<String> ancestors = new ArrayList<>();
    for (String n = DomainName.parentOf(ascii); n != null; n = DomainName.parentOf(n)) {
      ancestors.add(n);
    }
    return tx.fetchExists(FLAG,
        FLAG.LIFTED_AT.isNull(),
        FLAG.EXPIRES_AT.isNull().or(FLAG.EXPIRES_AT.gt(Timestamps.toDb(now))),
        FLAG.NAME.eq(ascii).or(FLAG.NAME.in(ancestors).and(FLAG.SCOPE.eq(FlagScope.SUBTREE))));
  }
}
