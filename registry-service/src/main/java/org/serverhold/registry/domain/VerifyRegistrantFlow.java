package org.serverhold.registry.domain;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.HOLDER;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.database.Timestamps;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.Registrant;
import org.serverhold.registry.holder.RegistrantStore;
import org.serverhold.registry.policy.PolicyLedger;

/**
 * Records that the registrar checked a registrant's identity in person, and releases the
 * IDENTITY_UNVERIFIED holds of that registrant's live domains (other holds stay).
 *
 * <p>Errors: NOT_FOUND (REGISTRANT_NOT_FOUND) for a handle the calling registrar does not have.
 */
public final class VerifyRegistrantFlow {
  private final RegistrantStore registrants;
  private final DomainStore domains;
  private final AuditLog audit;
  private final PolicyLedger policy;
  private final Clock clock;

  public VerifyRegistrantFlow(RegistrantStore registrants, DomainStore domains, AuditLog audit, PolicyLedger policy,
      Clock clock) {
    this.registrants = registrants;
    this.domains = domains;
    this.audit = audit;
    this.policy = policy;
    this.clock = clock;
  }

  /**
   * @param enhanced the holder passed enhanced verification: spares its other domains from a
   *     takedown's grace cascade
   */
  public Registrant run(DSLContext tx, Principal registrar, String requestId, String handle, String evidenceRef,
      boolean enhanced) {
    Instant now = clock.instant();
    Registrant r = registrants.lock(tx, registrar.registrarId(), handle)
        .orElseThrow(() -> RegistryException.notFound("REGISTRANT_NOT_FOUND", "you have no registrant '" + handle + "'"));
    registrants.markVerified(tx, r.id(), evidenceRef, now);
    if (enhanced) {
      tx.update(HOLDER).set(HOLDER.ENHANCED_VERIFIED_AT, Timestamps.toDb(now)).where(HOLDER.ID.eq(r.holderId())).execute();
    }
    var live = DOMAIN.REGISTRANT_ID.eq(r.id()).and(DOMAIN.ACTIVE_NAME.isNotNull());
    int released = domains.releaseHolds(tx, live, HoldReason.IDENTITY_UNVERIFIED, now);
    var names = tx.select(DOMAIN.NAME).from(DOMAIN).where(live).fetch(DOMAIN.NAME);
    policy.domainsChanged(tx, names, "verify registrant " + registrar.registrarId() + "/" + handle);
    audit.append(tx, new AuditEntry(registrar, requestId, "registrant.verify", "registrant",
        registrar.registrarId() + "/" + handle, "", Json.of(Map.of("verified", r.verified())),
        Json.of(Map.of("verified", true, "enhanced", enhanced, "evidence_ref", evidenceRef, "holds_released", released))));
    return registrants.byId(tx, r.id()).orElseThrow();
  }
}
