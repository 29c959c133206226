package org.serverhold.registry.api;

import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.BlacklistEntry;
import org.serverhold.api.v1.CheckHolderRequest;
import org.serverhold.api.v1.CheckHolderResponse;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.ListBlacklistRequest;
import org.serverhold.api.v1.ListBlacklistResponse;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.RemoveFromBlacklistRequest;
import org.serverhold.api.v1.RemoveFromBlacklistResponse;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.blacklist.AddToBlacklistFlow;
import org.serverhold.registry.blacklist.BlacklistQueries;
import org.serverhold.registry.blacklist.RemoveFromBlacklistFlow;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.holder.Identity;
import org.serverhold.registry.holder.IdentityRules;

/** The bureau's API: the blacklist (this class) and takedowns and flags (added with them). */
public class EnforcementGrpcService extends EnforcementServiceGrpc.EnforcementServiceImplBase {
  private final AddToBlacklistFlow add;
  private final RemoveFromBlacklistFlow remove;
  private final BlacklistQueries queries;
  private final Idempotency idempotency;
  private final Clock clock;

  public EnforcementGrpcService(AddToBlacklistFlow add, RemoveFromBlacklistFlow remove, BlacklistQueries queries,
      Idempotency idempotency, Clock clock) {
    this.add = add;
    this.remove = remove;
    this.queries = queries;
    this.idempotency = idempotency;
    this.clock = clock;
  }

  @Override
  public void addToBlacklist(AddToBlacklistRequest request, StreamObserver<BlacklistEntry> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      Identity identity = identity(v, "identity", request.hasIdentity(), request.getIdentity(), true);
      String reason = v.text("reason", request.getReason(), true, 500);
      String caseNumber = v.text("case_number", request.getCaseNumber(), true, 128);
      String authority = v.text("authority", request.getAuthority(), true, 128);
      Instant expires = null;
      if (request.hasExpires()) {
        expires = ProtoMapper.instant(request.getExpires());
        if (!expires.isAfter(clock.instant())) {
          v.add("expires", "must be in the future");
        }
      }
      v.throwIfAny();
      var command = new AddToBlacklistFlow.Command(identity, reason, caseNumber, authority, expires);
      return idempotency.run(caller, "AddToBlacklist", requestId, request, BlacklistEntry.parser(),
          tx -> ProtoMapper.blacklistEntry(add.run(tx, caller, requestId, command), clock.instant()));
    });
  }

  @Override
  public void removeFromBlacklist(RemoveFromBlacklistRequest request, StreamObserver<RemoveFromBlacklistResponse> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      Identity identity = identity(v, "identity", request.hasIdentity(), request.getIdentity(), false);
      String reason = v.text("reason", request.getReason(), true, 500);
      v.throwIfAny();
      return idempotency.run(caller, "RemoveFromBlacklist", requestId, request, RemoveFromBlacklistResponse.parser(), tx -> {
        var outcome = remove.run(tx, caller, requestId, identity, reason);
        return RemoveFromBlacklistResponse.newBuilder().setEntriesLifted(outcome.lifted())
            .setStillBlacklisted(outcome.stillBlacklisted()).build();
      });
    });
  }

  @Override
  public void listBlacklist(ListBlacklistRequest request, StreamObserver<ListBlacklistResponse> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      int size = RegistrarGrpcService.pageSize(v, request.getPageSize());
      v.throwIfAny();
      var page = queries.list(size, request.getPageToken(), request.getIncludeInactive());
      var b = ListBlacklistResponse.newBuilder().setNextPageToken(page.nextPageToken());
      Instant now = clock.instant();
      page.entries().forEach(e -> b.addEntries(ProtoMapper.blacklistEntry(e, now)));
      return b.build();
    });
  }

  @Override
  public void checkHolder(CheckHolderRequest request, StreamObserver<CheckHolderResponse> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      Identity identity = identity(v, "identity", request.hasIdentity(), request.getIdentity(), false);
      v.throwIfAny();
      var check = queries.check(identity);
      var b = CheckHolderResponse.newBuilder().setBlacklisted(check.blacklisted()).setKnown(check.holder().isPresent())
          .setActiveDomains(check.activeDomains());
      Instant now = clock.instant();
      check.entries().forEach(e -> b.addEntries(ProtoMapper.blacklistEntry(e, now)));
      return b.build();
    });
  }

  static Identity identity(Violations v, String field, boolean present, RegistrantIdentity id, boolean nameRequired) {
    if (!present) {
      v.add(field, "is required");
      return null;
    }
    if (id.getType() == org.serverhold.api.v1.IdentityType.UNRECOGNIZED) {
      v.add(field + ".type", "is not a known identity type");
      return null;
    }
    // Holders are matched by type and number; a lookup need not repeat the name.
    String name = id.getName().isBlank() && !nameRequired ? "(lookup)" : id.getName();
    return v.check(() -> IdentityRules.normalize(field, ProtoMapper.identityType(id.getType()), id.getNumber(), name));
  }
}
