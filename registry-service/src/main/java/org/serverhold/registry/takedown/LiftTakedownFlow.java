package org.serverhold.registry.takedown;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.TAKEDOWN;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.TakedownState;

/**
 * Lifts a takedown on appeal: removes exactly the holds this order placed (holds of other orders
 * or other reasons stay), lifts the blacklist entry it created (a permanent one only when an
 * ADMIN lifts), and records who lifted it, on whose authority and why. The holder stays
 * blacklisted while another order or a manual entry keeps it so. One transaction, one changeset.
 *
 * <p>Errors: NOT_FOUND (TAKEDOWN_NOT_FOUND); FAILED_PRECONDITION (TAKEDOWN_NOT_IN_FORCE).
 */
public final class LiftTakedownFlow {
  private final HolderStore holders;
  private final TakedownStore takedowns;
  private final BlacklistEntries blacklist;
  private final PolicyLedger policy;
  private final AuditLog audit;
  private final Clock clock;

  public LiftTakedownFlow(HolderStore holders, TakedownStore takedowns, BlacklistEntries blacklist, PolicyLedger policy,
      AuditLog audit, Clock clock) {
    this.holders = holders;
    this.takedowns = takedowns;
    this.blacklist = blacklist;
    this.policy = policy;
    this.audit = audit;
    this.clock = clock;
  }

  public TakedownOrder run(DSLContext tx, Principal actor, String requestId, long takedownId, String authority,
      String reason) {
    Instant now = clock.instant();
    long holderId = tx.select(TAKEDOWN.HOLDER_ID).from(TAKEDOWN).where(TAKEDOWN.ID.eq(takedownId))
        .fetchOptional(TAKEDOWN.HOLDER_ID)
        .orElseThrow(() -> RegistryException.notFound("TAKEDOWN_NOT_FOUND", "no takedown T" + takedownId));
    holders.lockExclusive(tx, holderId);
    var order = takedowns.lock(tx, takedownId).orElseThrow();
    if (order.getState() != TakedownState.IN_FORCE) {
      throw RegistryException.precondition("TAKEDOWN_NOT_IN_FORCE", "takedown T" + takedownId + " was already lifted");
    }
    List<String> names = tx.select(DOMAIN.NAME).from(DOMAIN_HOLD).join(DOMAIN).on(DOMAIN.ID.eq(DOMAIN_HOLD.DOMAIN_ID))
        .where(DOMAIN_HOLD.TAKEDOWN_ID.eq(takedownId), DOMAIN_HOLD.RELEASED_AT.isNull(), DOMAIN.ACTIVE_NAME.isNotNull())
        .fetch(DOMAIN.NAME);
    int released = tx.update(DOMAIN_HOLD).set(DOMAIN_HOLD.RELEASED_AT, Timestamps.toDb(now))
        .where(DOMAIN_HOLD.TAKEDOWN_ID.eq(takedownId), DOMAIN_HOLD.RELEASED_AT.isNull()).execute();
    var entry = BLACKLIST_ENTRY.ID.eq(order.getBlacklistEntryId() == null ? -1 : order.getBlacklistEntryId());
    boolean permanentKept = actor.role() != Role.ADMIN
        && tx.fetchExists(BLACKLIST_ENTRY, entry, BLACKLIST_ENTRY.PERMANENT.isTrue());
    if (!permanentKept) {
      blacklist.lift(tx, entry, actor.name(), "takedown T" + takedownId + " lifted: " + reason, now);
    }
    tx.update(TAKEDOWN)
        .set(TAKEDOWN.STATE, TakedownState.LIFTED)
        .set(TAKEDOWN.LIFTED_AT, Timestamps.toDb(now))
        .set(TAKEDOWN.LIFTED_BY, actor.name())
        .set(TAKEDOWN.LIFT_REASON, reason)
        .set(TAKEDOWN.LIFT_AUTHORITY, authority)
        .where(TAKEDOWN.ID.eq(takedownId))
        .execute();
    long version = policy.domainsChanged(tx, names, "lift takedown T" + takedownId);
    boolean stillBlacklisted = new BlacklistStore().isBlacklisted(tx, holderId, now);
    audit.append(tx, new AuditEntry(actor, requestId, "takedown.lift", "takedown", "T" + takedownId, authority,
        Json.of(Map.of("state", "IN_FORCE")),
        Json.of(Map.of("state", "LIFTED", "reason", reason, "holds_released", released,
            "permanent_blacklist_kept", permanentKept, "holder_still_blacklisted", stillBlacklisted,
            "policy_version", version))));
    return takedowns.find(tx, takedownId, now).orElseThrow();
  }
}
