package org.serverhold.registry.expiry;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.FLAG;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.blacklist.HolderStanding;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.flag.FlagStore;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Lifts blacklist entries and flags whose "block until" has passed, audited like any lift, and
 * publishes what that changes. (Reads already treat them as lifted from the moment they expire;
 * this makes the record, the holds and the feed say so too.)
 */
public final class ExpiryJob {
  private static final Principal ACTOR = Principal.system("expiry");

  private final Database db;
  private final HolderStore holders;
  private final HolderStanding standing;
  private final FlagStore flags;
  private final PolicyLedger policy;
  private final AuditLog audit;
  private final Clock clock;

  public ExpiryJob(Database db, HolderStore holders, HolderStanding standing, FlagStore flags, PolicyLedger policy,
      AuditLog audit, Clock clock) {
    this.db = db;
    this.holders = holders;
    this.standing = standing;
    this.flags = flags;
    this.policy = policy;
    this.audit = audit;
    this.clock = clock;
  }

  /** Returns how many entries and flags were lifted. */
  public int runOnce() {
    Instant now = clock.instant();
    var dueEntries = BLACKLIST_ENTRY.LIFTED_AT.isNull().and(BLACKLIST_ENTRY.EXPIRES_AT.le(Timestamps.toDb(now)));
    List<Long> holderIds = db.dsl().selectDistinct(BLACKLIST_ENTRY.HOLDER_ID).from(BLACKLIST_ENTRY).where(dueEntries)
        .fetch(BLACKLIST_ENTRY.HOLDER_ID);
    int lifted = 0;
    for (long holderId : holderIds) {
      lifted += db.transaction(tx -> {
        holders.lockExclusive(tx, holderId);
        var due = dueEntries.and(BLACKLIST_ENTRY.HOLDER_ID.eq(holderId));
        List<Long> ids = tx.select(BLACKLIST_ENTRY.ID).from(BLACKLIST_ENTRY).where(due).fetch(BLACKLIST_ENTRY.ID);
        int n = tx.update(BLACKLIST_ENTRY).set(BLACKLIST_ENTRY.LIFTED_AT, Timestamps.toDb(now))
            .set(BLACKLIST_ENTRY.LIFTED_BY, ACTOR.name()).set(BLACKLIST_ENTRY.LIFT_REASON, "expired")
            .where(due).execute();
        org.serverhold.registry.blacklist.BlacklistChangeLog.lifted(tx, ids, now);
        standing.reconcile(tx, holderId, "", "blacklist expiry H" + holderId, now);
        audit.append(tx, new AuditEntry(ACTOR, "", "blacklist.expire", "holder", "H" + holderId, "",
            Json.of(Map.of("entries", ids)), Json.of(Map.of("lifted", n))));
        return n;
      });
    }
    var dueFlags = FLAG.LIFTED_AT.isNull().and(FLAG.EXPIRES_AT.le(Timestamps.toDb(now)));
    List<String> names = db.dsl().selectDistinct(FLAG.NAME).from(FLAG).where(dueFlags).fetch(FLAG.NAME);
    for (String name : names) {
      lifted += db.transaction(tx -> {
        int n = flags.lift(tx, dueFlags.and(FLAG.NAME.eq(name)), ACTOR.name(), "expired", now);
        long version = policy.flagsChanged(tx, List.of(name), "flag expiry " + name);
        audit.append(tx, new AuditEntry(ACTOR, "", "flag.expire", "name", name, "", null,
            Json.of(Map.of("lifted", n, "policy_version", version))));
        return n;
      });
    }
    return lifted;
  }
}
