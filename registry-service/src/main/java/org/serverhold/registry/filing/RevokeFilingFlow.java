package org.serverhold.registry.filing;

import java.time.Clock;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Revokes a filing: the names it covered stop resolving (unless another active filing covers
 * them), published in the same transaction.
 *
 * <p>Errors: NOT_FOUND (FILING_NOT_FOUND); FAILED_PRECONDITION (FILING_ALREADY_REVOKED).
 */
public final class RevokeFilingFlow {
  private final FilingStore filings;
  private final AuditLog audit;
  private final PolicyLedger policy;
  private final Clock clock;

  public RevokeFilingFlow(FilingStore filings, AuditLog audit, PolicyLedger policy, Clock clock) {
    this.filings = filings;
    this.audit = audit;
    this.policy = policy;
    this.clock = clock;
  }

  public Filing run(DSLContext tx, Principal actor, String requestId, String filingNumber, String reason) {
    var record = filings.lock(tx, filingNumber)
        .orElseThrow(() -> RegistryException.notFound("FILING_NOT_FOUND", "no filing " + filingNumber));
    Filing before = filings.toFiling(tx, record, false);
    if (!before.active()) {
      throw RegistryException.precondition("FILING_ALREADY_REVOKED", filingNumber + " is already revoked");
    }
    filings.revoke(tx, record, reason, clock.instant());
    policy.domainsChanged(tx, before.domains(), "revoke filing " + filingNumber);
    Filing after = filings.find(tx, filingNumber, false).orElseThrow();
    audit.append(tx, new AuditEntry(actor, requestId, "filing.revoke", "filing", filingNumber, "",
        Json.of(Map.of("active", true)), Json.of(Map.of("active", false, "reason", reason))));
    return after;
  }
}
