package org.serverhold.registry.domain;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
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
 * Registers a name for a registrant of the calling registrar.
 *
 * <p>The holder's row is locked shared before the blacklist is read, so a takedown of the same
 * holder (which locks it exclusively) either commits first, and this registration is refused, or
 * waits for this one to commit, and then holds the new domain too.
 *
 * <p>Errors:
 * <ul>
 *   <li>INVALID_ARGUMENT: bad name, registrant or years (field violations)
 *   <li>FAILED_PRECONDITION with reason NAME_INVALID, ZONE_NOT_MANAGED, NOT_REGISTRABLE, DOMAIN_TAKEN,
 *       DOMAIN_FLAGGED or HOLDER_BLACKLISTED (all that apply, in the error's metadata)
 * </ul>
 */
public final class RegisterDomainFlow {
  /** A validated request. */
  public record Command(DomainName name, RegistrantInput registrant, int years) {}

  private final RegistrantResolver registrants;
  private final HolderStore holders;
  private final DomainStore domains;
  private final RegistrationFactsReader facts;
  private final RegistrationRules rules;
  private final AuditLog audit;
  private final PolicyLedger policy;
  private final Clock clock;

  public RegisterDomainFlow(RegistrantResolver registrants, HolderStore holders, DomainStore domains,
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

  public RegisteredDomain run(DSLContext tx, Principal registrar, String requestId, Command command) {
    Instant now = clock.instant();
    Registrant registrant = registrants.resolve(tx, registrar.registrarId(), command.registrant(), "registrant");
    holders.lockShared(tx, registrant.holderId());
    var holder = holders.byId(tx, registrant.holderId());
    RegistrationFacts f = facts.read(tx, command.name(), holder, registrant.verified(), -1, now);
    RegistrationRules.Decision decision = rules.decide(f);
    if (!decision.allowed()) {
      throw refusal(command.name(), decision.refusals(), f.holderBlacklisted()
          ? facts.blacklistSources(tx, registrant.holderId(), now) : List.of());
    }
    String zone = facts.zoneOf(command.name()).orElseThrow();
    Instant expires = now.atOffset(ZoneOffset.UTC).plusYears(command.years()).toInstant();
    Optional<Long> id = domains.insert(tx, command.name(), zone, registrar.registrarId(), registrant.id(),
        registrant.holderId(), now, expires);
    if (id.isEmpty()) {
      throw refusal(command.name(), List.of(RefusalReason.DOMAIN_TAKEN));
    }
    if (!registrant.verified()) {
      domains.addHold(tx, id.get(), HoldReason.IDENTITY_UNVERIFIED, "registrant " + registrant.handle(), null, now);
    }
    RegisteredDomain created = domains.viewOne(tx, id.get());
    policy.domainsChanged(tx, List.of(command.name().ascii()), "register " + command.name().ascii());
    audit.append(tx, new AuditEntry(registrar, requestId, "domain.register", "domain", command.name().ascii(), "",
        null, Json.of(Map.of("registrar", registrar.registrarId(), "registrant", registrant.handle(),
            "holder", "H" + registrant.holderId(), "years", command.years(),
            "holds", created.holds().stream().map(h -> h.reason().name()).toList()))));
    return created;
  }

  /** FAILED_PRECONDITION whose reason is the first refusal and whose metadata lists them all. */
  public static RegistryException refusal(DomainName name, List<RefusalReason> reasons) {
    return refusal(name, reasons, List.of());
  }

  /**
   * As above; {@code blacklistSources} (for HOLDER_BLACKLISTED) says whose entries refuse the
   * holder: "local" and/or the ids of peer registries, in the metadata key {@code blacklist_sources}.
   */
  public static RegistryException refusal(DomainName name, List<RefusalReason> reasons, List<String> blacklistSources) {
    String all = reasons.stream().map(Enum::name).collect(Collectors.joining(","));
    Map<String, String> metadata = new java.util.HashMap<>(Map.of("refusal_reasons", all, "domain", name.ascii()));
    if (!blacklistSources.isEmpty()) {
      metadata.put("blacklist_sources", String.join(",", blacklistSources));
    }
    return RegistryException.precondition(reasons.getFirst().name(), "cannot register " + name.ascii() + ": " + all,
        metadata);
  }
}
