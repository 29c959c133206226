package org.serverhold.registry.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.Registrant;
import org.serverhold.registry.holder.RegistrantInput;
import org.serverhold.registry.holder.RegistrantResolver;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Changes a domain's holder. A change of holder is a new registration of the same name: the old
 * record ends (TRANSFERRED) and a new one starts for the new registrant, checked exactly like a
 * new registrant (blacklist, flags, verification). History keeps both records.
 *
 * <p>Both holders are locked shared, in id order (no deadlock between two transfers), before the
 * blacklist is read.
 *
 * <p>Errors:
 * <ul>
 *   <li>INVALID_ARGUMENT: bad name or registrant
 *   <li>NOT_FOUND (DOMAIN_NOT_FOUND): no live registration of the name at the calling registrar
 *   <li>FAILED_PRECONDITION (DOMAIN_HELD): a hold placed by the registry or a bureau stands
 *   <li>FAILED_PRECONDITION (SAME_HOLDER): the new registrant is the same holder
 *   <li>FAILED_PRECONDITION (HOLDER_BLACKLISTED, DOMAIN_FLAGGED): the new holder may not register it
 * </ul>
 */
public final class TransferDomainFlow {
  private final RegistrantResolver registrants;
  private final HolderStore holders;
  private final DomainStore domains;
  private final RegistrationFactsReader facts;
  private final RegistrationRules rules;
  private final AuditLog audit;
  private final PolicyLedger policy;
  private final Clock clock;

  public TransferDomainFlow(RegistrantResolver registrants, HolderStore holders, DomainStore domains,
      RegistrationFactsReader facts, RegistrationRules rules, AuditLog audit, PolicyLedger policy, Clock clock) {
    this.registrants = registrants;
    this.holders = holders;
    this.domains = domains;
    this.facts = facts;
    this.rules = rules;
    this.audit = audit;
    this.policy = policy;
    this.clock = clock;
  }

  public RegisteredDomain run(DSLContext tx, Principal registrar, String requestId, DomainName name,
      RegistrantInput newRegistrant) {
    Instant now = clock.instant();
    var current = domains.lockActive(tx, name.ascii())
        .filter(d -> d.getRegistrarId().equals(registrar.registrarId()))
        .orElseThrow(() -> RegistryException.notFound("DOMAIN_NOT_FOUND", name.ascii() + " is not registered by you"));
    Registrant registrant = registrants.resolve(tx, registrar.registrarId(), newRegistrant, "new_registrant");
    long oldHolder = current.getHolderId();
    if (registrant.holderId() == oldHolder) {
      throw RegistryException.precondition("SAME_HOLDER",
          "the new registrant is the same holder; a transfer changes the holder");
    }
    holders.lockShared(tx, Math.min(oldHolder, registrant.holderId()));
    holders.lockShared(tx, Math.max(oldHolder, registrant.holderId()));
    List<Hold> standing = domains.holds(tx, current.getId()).stream().filter(h -> h.reason().blocksLifecycle()).toList();
    if (!standing.isEmpty()) {
      throw RegistryException.precondition("DOMAIN_HELD", name.ascii() + " is held (" + standing.getFirst().reason()
          + "): it cannot be transferred while the hold stands", Map.of("hold", standing.getFirst().reason().name()));
    }
    RegistrationFacts f = facts.read(tx, name, holders.byId(tx, registrant.holderId()), registrant.verified(),
        current.getId(), now);
    RegistrationRules.Decision decision = rules.decide(f);
    if (!decision.allowed()) {
      throw RegisterDomainFlow.refusal(name, decision.refusals(), f.holderBlacklisted()
          ? facts.blacklistSources(tx, registrant.holderId(), now) : List.of());
    }
    domains.end(tx, current.getId(), DomainState.TRANSFERRED, now);
    Optional<Long> id = domains.insert(tx, name, current.getZone(), registrar.registrarId(), registrant.id(),
        registrant.holderId(), now, org.serverhold.registry.database.Timestamps.fromDb(current.getExpiresAt()));
    if (id.isEmpty()) {
      throw new org.serverhold.registry.database.Database.RetryTransaction("name re-registered concurrently");
    }
    if (!registrant.verified()) {
      domains.addHold(tx, id.get(), HoldReason.IDENTITY_UNVERIFIED, "registrant " + registrant.handle(), null, now);
    }
    RegisteredDomain created = domains.viewOne(tx, id.get());
    policy.domainsChanged(tx, List.of(name.ascii()), "transfer " + name.ascii());
    audit.append(tx, new AuditEntry(registrar, requestId, "domain.transfer", "domain", name.ascii(), "",
        Json.of(Map.of("holder", "H" + oldHolder, "record", current.getId())),
        Json.of(Map.of("holder", "H" + registrant.holderId(), "registrant", registrant.handle(), "record", id.get()))));
    return created;
  }
}
