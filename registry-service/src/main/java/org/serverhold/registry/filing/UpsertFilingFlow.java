package org.serverhold.registry.filing;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Creates or replaces a filing (a revoked one is reactivated by a new upsert). The names it
 * covered before and covers now have their decisions recomputed in the same transaction.
 *
 * <p>Errors: INVALID_ARGUMENT (validated by {@link FilingInput} before this runs).
 */
public final class UpsertFilingFlow {
  private final FilingStore filings;
  private final AuditLog audit;
  private final PolicyLedger policy;
  private final Clock clock;

  public UpsertFilingFlow(FilingStore filings, AuditLog audit, PolicyLedger policy, Clock clock) {
    this.filings = filings;
    this.audit = audit;
    this.policy = policy;
    this.clock = clock;
  }

  public Filing run(DSLContext tx, Principal actor, String requestId, Filing filing) {
    Instant now = clock.instant();
    var existing = filings.lock(tx, filing.filingNumber());
    Set<String> touched = new LinkedHashSet<>(filing.domains());
    Map<String, Object> before = null;
    if (existing.isPresent()) {
      var old = filings.toFiling(tx, existing.get(), false);
      touched.addAll(old.domains());
      before = describe(old);
    }
    filings.upsert(tx, filing, existing, now);
    Filing stored = filings.find(tx, filing.filingNumber(), false).orElseThrow();
    policy.domainsChanged(tx, touched, "filing " + filing.filingNumber());
    audit.append(tx, new AuditEntry(actor, requestId, existing.isPresent() ? "filing.update" : "filing.create",
        "filing", filing.filingNumber(), "", before == null ? null : Json.of(before), Json.of(describe(stored))));
    return stored;
  }

  static Map<String, Object> describe(Filing f) {
    return Map.of("sponsor", f.sponsorName(), "sponsor_type", f.sponsorType().name(),
        "sponsor_identity", f.sponsorMaskedNumber(), "service", f.serviceName(),
        "service_type", f.serviceType().name(), "active", f.active(), "domains", f.domains());
  }
}
