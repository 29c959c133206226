package org.serverhold.registry.blacklist;

import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;

import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.domain.DomainStore;
import org.serverhold.registry.domain.HoldReason;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.DomainHoldReason;

/**
 * Keeps a holder's live domains in line with its blacklist standing: while a manual
 * entry is in force, every live domain carries a HOLDER_BLACKLISTED hold; when none is, those
 * holds go (holds of other kinds stay). A takedown's own entry acts through the takedown's holds,
 * a peer's entry through its disposal's PEER_DISPOSAL holds (federation).
 * Call with the holder locked exclusively.
 */
public final class HolderStanding {
  private final BlacklistStore blacklist;
  private final DomainStore domains;
  private final PolicyLedger policy;

  public HolderStanding(BlacklistStore blacklist, DomainStore domains, PolicyLedger policy) {
    this.blacklist = blacklist;
    this.domains = domains;
    this.policy = policy;
  }

  /** Returns how many domains changed. */
  public int reconcile(DSLContext tx, long holderId, String reference, String cause, Instant now) {
    var live = DOMAIN.HOLDER_ID.eq(holderId).and(DOMAIN.ACTIVE_NAME.isNotNull());
    int changed;
    if (blacklist.hasStandingEntry(tx, holderId, now)) {
      var unheld = DOMAIN.ID.notIn(DSL.select(DOMAIN_HOLD.DOMAIN_ID).from(DOMAIN_HOLD)
          .where(DOMAIN_HOLD.REASON.eq(DomainHoldReason.HOLDER_BLACKLISTED), DOMAIN_HOLD.RELEASED_AT.isNull()));
      changed = tx.insertInto(DOMAIN_HOLD, DOMAIN_HOLD.DOMAIN_ID, DOMAIN_HOLD.REASON, DOMAIN_HOLD.REFERENCE,
              DOMAIN_HOLD.CREATED_AT)
          .select(DSL.select(DOMAIN.ID, DSL.val(DomainHoldReason.HOLDER_BLACKLISTED), DSL.val(reference),
              DSL.val(Timestamps.toDb(now))).from(DOMAIN).where(live.and(unheld)))
          .execute();
    } else {
      changed = domains.releaseHolds(tx, live, HoldReason.HOLDER_BLACKLISTED, now);
    }
    if (changed > 0) {
      List<String> names = tx.select(DOMAIN.NAME).from(DOMAIN).where(live).fetch(DOMAIN.NAME);
      policy.domainsChanged(tx, names, cause);
    }
    return changed;
  }

  public List<Long> activeEntryIds(DSLContext tx, long holderId, Instant now) {
    return tx.select(BLACKLIST_ENTRY.ID).from(BLACKLIST_ENTRY)
        .where(BLACKLIST_ENTRY.HOLDER_ID.eq(holderId), BlacklistStore.inForce(now)).fetch(BLACKLIST_ENTRY.ID);
  }
}
