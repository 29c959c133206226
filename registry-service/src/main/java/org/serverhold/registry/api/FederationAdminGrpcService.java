package org.serverhold.registry.api;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.HexFormat;
import org.serverhold.api.v1.DecideReviewRequest;
import org.serverhold.api.v1.FederationAdminServiceGrpc;
import org.serverhold.api.v1.FederationStatus;
import org.serverhold.api.v1.GetFederationStatusRequest;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.ImportState;
import org.serverhold.api.v1.ImportedEntry;
import org.serverhold.api.v1.ListReviewsRequest;
import org.serverhold.api.v1.ListReviewsResponse;
import org.serverhold.api.v1.PeerStatus;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.RegistryException;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.federation.Federation;
import org.serverhold.registry.schema.tables.records.FederationEntryRecord;

/** Federation status and the review queue, for this registry's own staff (REGULATOR; ADMIN reads). */
public final class FederationAdminGrpcService extends FederationAdminServiceGrpc.FederationAdminServiceImplBase {
  private final Federation federation;
  private final org.serverhold.registry.database.Database db;
  private final Idempotency idempotency;

  public FederationAdminGrpcService(Federation federation, org.serverhold.registry.database.Database db,
      Idempotency idempotency) {
    this.federation = federation;
    this.db = db;
    this.idempotency = idempotency;
  }

  @Override
  public void getFederationStatus(GetFederationStatusRequest request, StreamObserver<FederationStatus> response) {
    Rpc.unary(response, () -> {
      var b = FederationStatus.newBuilder().setRegistryId(federation.settings().registryId())
          .setKeyConfigured(federation.settings().enabled()).setExportVersion(federation.exportLog().latest());
      for (Federation.PeerState p : federation.status()) {
        var ps = PeerStatus.newBuilder().setPeerId(p.peerId()).setTarget(p.target()).setMode(p.mode())
            .setAppliedVersion(p.appliedVersion()).setPeerHeadVersion(p.peerHeadVersion()).setLag(p.lag())
            .setConnected(p.connected()).setEntriesInForce(p.entriesInForce());
        if (p.lastError() != null) {
          ps.setLastError(p.lastError());
        }
        if (p.lastErrorTime() != null) {
          ps.setLastErrorTime(ts(p.lastErrorTime()));
        }
        if (p.lastAppliedTime() != null) {
          ps.setLastAppliedTime(ts(p.lastAppliedTime()));
        }
        b.addPeers(ps);
      }
      return b.build();
    });
  }

  @Override
  public void listReviews(ListReviewsRequest request, StreamObserver<ListReviewsResponse> response) {
    Rpc.unary(response, () -> {
      var b = ListReviewsResponse.newBuilder();
      federation.reviewQueue(request.getIncludeDecided()).forEach(e -> b.addEntries(entry(db.dsl(), e)));
      return b.build();
    });
  }

  @Override
  public void decideReview(DecideReviewRequest request, StreamObserver<ImportedEntry> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      if (request.getId() <= 0) {
        v.add("id", "is required (the F number of a queued import)");
      }
      String reason = v.text("reason", request.getReason(), true, 512);
      v.throwIfAny();
      return idempotency.run(caller, "DecideReview", requestId, request, ImportedEntry.parser(), tx -> {
        long id = federation.reviews().decide(tx, caller, requestId, request.getId(), request.getAccept(), reason);
        return entry(tx, tx.selectFrom(org.serverhold.registry.schema.Tables.FEDERATION_ENTRY)
            .where(org.serverhold.registry.schema.Tables.FEDERATION_ENTRY.ID.eq(id)).fetchSingle());
      });
    });
  }

  ImportedEntry entry(org.jooq.DSLContext q, FederationEntryRecord e) {
    var b = ImportedEntry.newBuilder().setId(e.getId()).setPeerId(e.getPeerId())
        .setSourceRegistryId(e.getSourceRegistryId()).setSourceEntryRef(e.getSourceEntryRef())
        .setSourceOrder(e.getSourceOrder()).setIdentityType(IdentityType.valueOf(e.getIdentityType().name()))
        .setFingerprintPrefix(HexFormat.of().formatHex(e.getFingerprint(), 0, 4))
        .setReason(e.getReason()).setAuthority(e.getAuthority()).setCaseNumber(e.getCaseNumber())
        .setState(switch (e.getState()) {
          case IN_FORCE -> ImportState.IMPORT_IN_FORCE;
          case PENDING_REVIEW -> ImportState.IMPORT_PENDING_REVIEW;
          case REJECTED -> ImportState.IMPORT_REJECTED;
          case LIFTED -> ImportState.IMPORT_LIFTED;
        })
        .setMode(e.getMode().name().toLowerCase(java.util.Locale.ROOT))
        .setDomainsHeld(q.fetchCount(org.serverhold.registry.schema.Tables.DOMAIN_HOLD,
            org.serverhold.registry.schema.Tables.DOMAIN_HOLD.FEDERATION_ENTRY_ID.eq(e.getId()),
            org.serverhold.registry.schema.Tables.DOMAIN_HOLD.RELEASED_AT.isNull()))
        .setImported(ts(org.serverhold.registry.database.Timestamps.fromDb(e.getImportedAt())));
    if (e.getHolderId() != null) {
      b.setHolderId("H" + e.getHolderId());
    }
    if (e.getDecidedBy() != null) {
      b.setDecidedBy(e.getDecidedBy());
    }
    if (e.getDecisionReason() != null) {
      b.setDecisionReason(e.getDecisionReason());
    }
    return b.build();
  }

  static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
