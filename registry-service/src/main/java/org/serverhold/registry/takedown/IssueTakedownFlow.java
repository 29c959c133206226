package org.serverhold.registry.takedown;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.schema.Tables.TAKEDOWN;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.blacklist.BlacklistEntry;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.domain.DomainStore;
import org.serverhold.registry.domain.HoldReason;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.Holder;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.schema.enums.DomainHoldReason;

/**
 * Takes a domain down, and with it every other live domain of the same holder, at every
 * registrar and under every registrant record of that identity; blacklists the holder; and
 * publishes it all as one policy changeset. One transaction: an observer sees all of it or none.
 *
 * <p>The holder row is locked exclusively first: registrations and transfers for the holder take
 * it shared, so each either commits before this (and its domain is cascaded) or runs after (and
 * is refused as blacklisted). The cascade is one INSERT ... SELECT, so 100,000 domains never
 * pass through the heap as records.
 *
 * <p>Errors:
 * <ul>
 *   <li>INVALID_ARGUMENT: bad name, authority, case number or reason
 *   <li>NOT_FOUND (DOMAIN_NOT_REGISTERED): the name is not registered here; flag it instead (FlagDomain)
 * </ul>
 */
public final class IssueTakedownFlow {
  /** A validated order. */
  public record Command(DomainName name, String authority, String caseNumber, String reason) {}

  private final HolderStore holders;
  private final DomainStore domains;
  private final TakedownStore takedowns;
  private final BlacklistEntries blacklist;
  private final PolicyLedger policy;
  private final AuditLog audit;
  private final CascadePolicy cascade;
  private final Clock clock;

  public IssueTakedownFlow(HolderStore holders, DomainStore domains, TakedownStore takedowns, BlacklistEntries blacklist,
      PolicyLedger policy, AuditLog audit, CascadePolicy cascade, Clock clock) {
    this.holders = holders;
    this.domains = domains;
    this.takedowns = takedowns;
    this.blacklist = blacklist;
    this.policy = policy;
    this.audit = audit;
    this.cascade = cascade;
    this.clock = clock;
  }

  public TakedownOrder run(DSLContext tx, Principal actor, String requestId, Command c) {
    Instant now = clock.instant();
    var seen = domains.active(tx, c.name().ascii()).orElseThrow(() -> RegistryException.notFound("DOMAIN_NOT_REGISTERED",
        c.name().ascii() + " is not registered here: to have it refused anyway, flag it (FlagDomain)"));
    long holderId = seen.getHolderId();
    Holder holder = holders.lockExclusive(tx, holderId);
    var target = domains.lockActive(tx, c.name().ascii())
        .filter(d -> d.getHolderId() == holderId)
        .orElseThrow(() -> new Database.RetryTransaction("the domain changed holder while the takedown waited"));

    Instant deadline = cascade.mode() == CascadePolicy.Mode.GRACE ? now.plus(cascade.grace()) : null;
    long id = takedowns.insert(tx, c.name().ascii(), target.getId(), holderId, c.authority(), c.caseNumber(), c.reason(),
        cascade.mode(), deadline, actor.name(), requestId, now);
    String reference = "T" + id + " case " + c.caseNumber();
    domains.addHold(tx, target.getId(), HoldReason.TAKEDOWN, reference, id, now);
    int cascaded = cascade.mode() == CascadePolicy.Mode.IMMEDIATE
        ? holdOthers(tx, holderId, target.getId(), id, reference, now) : 0;

    int offences = holder.offenceCount() + 1;
    boolean permanent = offences >= cascade.permanentAfterOffences();
    tx.update(HOLDER).set(HOLDER.OFFENCE_COUNT, offences).where(HOLDER.ID.eq(holderId)).execute();
    long entry = blacklist.insert(tx, holderId, c.reason(), c.caseNumber(), c.authority(), BlacklistEntry.Source.TAKEDOWN,
        "T" + id, permanent, actor.name(), now, null);

    List<String> names = tx.select(DOMAIN.NAME).from(DOMAIN)
        .where(DOMAIN.HOLDER_ID.eq(holderId), DOMAIN.ACTIVE_NAME.isNotNull()).fetch(DOMAIN.NAME);
    long version = policy.domainsChanged(tx, names, "takedown T" + id);
    tx.update(TAKEDOWN)
        .set(TAKEDOWN.DOMAINS_SUSPENDED, 1 + cascaded)
        .set(TAKEDOWN.CASCADE_COUNT, cascaded)
        .set(TAKEDOWN.BLACKLIST_ENTRY_ID, entry)
        .set(TAKEDOWN.POLICY_VERSION, Math.max(version, 0))
        .where(TAKEDOWN.ID.eq(id))
        .execute();
    audit.append(tx, new AuditEntry(actor, requestId, "takedown.issue", "takedown", "T" + id, c.authority(), null,
        Json.of(Map.of("domain", c.name().ascii(), "holder", holder.publicId(), "case_number", c.caseNumber(),
            "reason", c.reason(), "cascade", cascade.mode().name(), "domains_suspended", 1 + cascaded,
            "offences", offences, "permanent_blacklist", permanent, "policy_version", version))));
    return takedowns.find(tx, id, now).orElseThrow();
  }

  /** Holds every other live domain of the holder, naming the takedown. Returns how many. */
  static int holdOthers(DSLContext tx, long holderId, long exceptDomainId, long takedownId, String reference, Instant now) {
    return tx.insertInto(DOMAIN_HOLD, DOMAIN_HOLD.DOMAIN_ID, DOMAIN_HOLD.REASON, DOMAIN_HOLD.REFERENCE,
            DOMAIN_HOLD.TAKEDOWN_ID, DOMAIN_HOLD.CREATED_AT)
        .select(DSL.select(DOMAIN.ID, DSL.val(DomainHoldReason.TAKEDOWN_CASCADE), DSL.val(reference), DSL.val(takedownId),
                DSL.val(Timestamps.toDb(now)))
            .from(DOMAIN)
            .where(DOMAIN.HOLDER_ID.eq(holderId), DOMAIN.ACTIVE_NAME.isNotNull(), DOMAIN.ID.ne(exceptDomainId)))
        .execute();
  }
}
