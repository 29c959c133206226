package org.serverhold.registry.takedown;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.schema.Tables.TAKEDOWN;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.TakedownCascadeMode;
import org.serverhold.registry.schema.enums.TakedownState;

/**
 * Under the grace cascade policy: when a takedown's grace period has ended and its holder has
 * not passed enhanced verification since the order, holds the holder's other domains, each order
 * in one transaction with its own changeset. Safe to run on every replica at once (the order row
 * is locked and re-checked).
 */
public final class GraceCascadeJob {
  private final Database db;
  private final HolderStore holders;
  private final PolicyLedger policy;
  private final AuditLog audit;
  private final Clock clock;

  public GraceCascadeJob(Database db, HolderStore holders, PolicyLedger policy, AuditLog audit, Clock clock) {
    this.db = db;
    this.holders = holders;
    this.policy = policy;
    this.audit = audit;
    this.clock = clock;
  }

  /** Applies every due cascade; returns how many orders were settled. */
  public int runOnce() {
    Instant now = clock.instant();
    List<Long> due = db.dsl().select(TAKEDOWN.ID).from(TAKEDOWN)
        .where(TAKEDOWN.STATE.eq(TakedownState.IN_FORCE), TAKEDOWN.CASCADE_MODE.eq(TakedownCascadeMode.GRACE),
            TAKEDOWN.CASCADE_APPLIED_AT.isNull(), TAKEDOWN.CASCADE_DEADLINE.le(Timestamps.toDb(now)))
        .fetch(TAKEDOWN.ID);
    int settled = 0;
    for (long id : due) {
      settled += db.transaction(tx -> {
        long holderId = tx.select(TAKEDOWN.HOLDER_ID).from(TAKEDOWN).where(TAKEDOWN.ID.eq(id)).fetchSingle(TAKEDOWN.HOLDER_ID);
        holders.lockExclusive(tx, holderId);
        var order = tx.selectFrom(TAKEDOWN).where(TAKEDOWN.ID.eq(id)).forUpdate().fetchSingle();
        if (order.getState() != TakedownState.IN_FORCE || order.getCascadeAppliedAt() != null) {
          return 0;
        }
        var verified = tx.select(HOLDER.ENHANCED_VERIFIED_AT).from(HOLDER).where(HOLDER.ID.eq(holderId))
            .fetchSingle(HOLDER.ENHANCED_VERIFIED_AT);
        boolean spared = verified != null && verified.isAfter(order.getIssuedAt());
        int cascaded = 0;
        if (!spared) {
          cascaded = IssueTakedownFlow.holdOthers(tx, holderId, order.getDomainId(), id,
              "T" + id + " case " + order.getCaseNumber(), now);
          List<String> names = tx.select(DOMAIN.NAME).from(DOMAIN)
              .where(DOMAIN.HOLDER_ID.eq(holderId), DOMAIN.ACTIVE_NAME.isNotNull()).fetch(DOMAIN.NAME);
          policy.domainsChanged(tx, names, "grace cascade of T" + id);
        }
        tx.update(TAKEDOWN).set(TAKEDOWN.CASCADE_APPLIED_AT, Timestamps.toDb(now))
            .set(TAKEDOWN.CASCADE_COUNT, cascaded).set(TAKEDOWN.DOMAINS_SUSPENDED, 1 + cascaded)
            .where(TAKEDOWN.ID.eq(id)).execute();
        audit.append(tx, new AuditEntry(Principal.system("grace-cascade"), "", "takedown.cascade", "takedown", "T" + id,
            order.getAuthority(), null, Json.of(Map.of("cascaded", cascaded, "spared_by_enhanced_verification", spared))));
        return 1;
      });
    }
    return settled;
  }
}
