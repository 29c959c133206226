package org.serverhold.registry.domain;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Deletes a registration of the calling registrar.
 *
 * <p>Refused while a registry or bureau hold stands: deleting a suspended name would free it for
 * someone else (or the same holder under a new identity) and end the order's effect.
 *
 * <p>Errors: NOT_FOUND (DOMAIN_NOT_FOUND), FAILED_PRECONDITION (DOMAIN_HELD).
 */
public final class DeleteDomainFlow {
  private final DomainStore domains;
  private final AuditLog audit;
  private final PolicyLedger policy;
  private final Clock clock;

  public DeleteDomainFlow(DomainStore domains, AuditLog audit, PolicyLedger policy, Clock clock) {
    this.domains = domains;
    this.audit = audit;
    this.policy = policy;
    this.clock = clock;
  }

  public void run(DSLContext tx, Principal registrar, String requestId, DomainName name) {
    Instant now = clock.instant();
    var current = domains.lockActive(tx, name.ascii())
        .filter(d -> d.getRegistrarId().equals(registrar.registrarId()))
        .orElseThrow(() -> RegistryException.notFound("DOMAIN_NOT_FOUND", name.ascii() + " is not registered by you"));
    List<Hold> standing = domains.holds(tx, current.getId()).stream().filter(h -> h.reason().blocksLifecycle()).toList();
    if (!standing.isEmpty()) {
      throw RegistryException.precondition("DOMAIN_HELD", name.ascii() + " is held (" + standing.getFirst().reason()
          + "): it cannot be deleted while the hold stands", Map.of("hold", standing.getFirst().reason().name()));
    }
    domains.end(tx, current.getId(), DomainState.DELETED, now);
    policy.domainsChanged(tx, List.of(name.ascii()), "delete " + name.ascii());
    audit.append(tx, new AuditEntry(registrar, requestId, "domain.delete", "domain", name.ascii(), "",
        Json.of(Map.of("state", "ACTIVE", "record", current.getId())), Json.of(Map.of("state", "DELETED"))));
  }
}
