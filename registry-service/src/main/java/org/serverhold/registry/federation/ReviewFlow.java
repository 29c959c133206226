package org.serverhold.registry.federation;

import static org.serverhold.registry.schema.Tables.FEDERATION_ENTRY;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.DSLContext;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.schema.enums.FederationEntryState;

/**
 * A local regulator's decision on an entry imported from a peer in review mode: accept puts it in
 * force as a suspending disposal (blacklist and PEER_DISPOSAL holds, published), reject records
 * that it is not acted on. Either is audited with the regulator's reason.
 *
 * <p>Errors: NOT_FOUND (IMPORT_NOT_FOUND); FAILED_PRECONDITION (NOT_PENDING_REVIEW) for an entry
 * already decided or lifted at its source.
 */
public final class ReviewFlow {
  private final HolderStore holders;
  private final ImportChangeFlow imports;
  private final AuditLog audit;
  private final Clock clock;

  public ReviewFlow(HolderStore holders, ImportChangeFlow imports, AuditLog audit, Clock clock) {
    this.holders = holders;
    this.imports = imports;
    this.audit = audit;
    this.clock = clock;
  }

  public long decide(DSLContext tx, Principal actor, String requestId, long id, boolean accept, String reason) {
    Instant now = clock.instant();
    var e = tx.selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.ID.eq(id)).fetchOptional()
        .orElseThrow(() -> RegistryException.notFound("IMPORT_NOT_FOUND", "no imported entry F" + id));
    // the same lock order as an import: the fingerprint, then the holder
    FederatedHolders.lockIdentity(tx, e.getFingerprint());
    e = tx.selectFrom(FEDERATION_ENTRY).where(FEDERATION_ENTRY.ID.eq(id)).forUpdate().fetchSingle();
    if (e.getHolderId() != null) {
      holders.lockExclusive(tx, e.getHolderId());
    }
    if (e.getState() != FederationEntryState.PENDING_REVIEW) {
      throw RegistryException.precondition("NOT_PENDING_REVIEW", "F" + id + " is " + e.getState() + ", not pending review");
    }
    tx.update(FEDERATION_ENTRY)
        .set(FEDERATION_ENTRY.STATE, accept ? FederationEntryState.IN_FORCE : FederationEntryState.REJECTED)
        .set(FEDERATION_ENTRY.DECIDED_BY, actor.name())
        .set(FEDERATION_ENTRY.DECISION_REASON, reason)
        .where(FEDERATION_ENTRY.ID.eq(id)).execute();
    int held = accept ? imports.enforce(tx, id, true, now) : 0;
    Map<String, Object> after = new LinkedHashMap<>();
    after.put("state", accept ? "IN_FORCE" : "REJECTED");
    after.put("peer", e.getPeerId());
    after.put("source_order", e.getSourceOrder());
    after.put("holder", e.getHolderId() == null ? "not known here" : "H" + e.getHolderId());
    after.put("domains_held", held);
    after.put("reason", reason);
    audit.append(tx, new AuditEntry(actor, requestId, accept ? "federation.review.accept" : "federation.review.reject",
        "federation_entry", "F" + id, e.getAuthority(), Json.of(Map.of("state", "PENDING_REVIEW")), Json.of(after)));
    return id;
  }
}
