package org.serverhold.registry.domain;

import java.time.Clock;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.failure.FailureKind;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.RegistrantInput;
import org.serverhold.registry.holder.RegistrantResolver;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.name.DomainNames;

/**
 * Answers whether a registrar could register a name for a registrant now, and what would keep it
 * from resolving once registered. Writes nothing.
 *
 * <p>An invalid name is a refusal (NAME_INVALID), not an error: the registrar asked a question.
 * Errors: INVALID_ARGUMENT for a bad registrant.
 */
public final class CheckRegistrationFlow {
  /** The outcome: the normalized name (null when invalid) and the decision. */
  public record Outcome(DomainName name, RegistrationRules.Decision decision) {}

  private final Database db;
  private final DomainNames names;
  private final RegistrantResolver registrants;
  private final RegistrationFactsReader facts;
  private final RegistrationRules rules;
  private final Clock clock;

  public CheckRegistrationFlow(Database db, DomainNames names, RegistrantResolver registrants,
      RegistrationFactsReader facts, RegistrationRules rules, Clock clock) {
    this.db = db;
    this.names = names;
    this.registrants = registrants;
    this.facts = facts;
    this.rules = rules;
    this.clock = clock;
  }

  public Outcome check(Principal registrar, String domain, RegistrantInput registrant) {
    DomainName name;
    try {
      name = names.normalize("domain", domain);
    } catch (RegistryException e) {
      if (e.kind() != FailureKind.INVALID_ARGUMENT) {
        throw e;
      }
      return new Outcome(null, new RegistrationRules.Decision(
          java.util.List.of(RefusalReason.NAME_INVALID), java.util.Set.of()));
    }
    return db.transaction(tx -> {
      var resolved = registrants.peek(tx, registrar.registrarId(), registrant, "registrant");
      boolean verified = resolved.registrant().map(r -> r.verified()).orElse(false);
      RegistrationFacts f = facts.read(tx, name, resolved.holder(), registrant.identity(), verified, -1, clock.instant());
      return new Outcome(name, rules.decide(f));
    });
  }
}
