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
import org.serverhold.api.v1.Flag;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.GetTakedownReportRequest;
import org.serverhold.api.v1.GetTakedownRequest;
import org.serverhold.api.v1.LiftTakedownRequest;
import org.serverhold.api.v1.ListFlagsRequest;
import org.serverhold.api.v1.ListFlagsResponse;
import org.serverhold.api.v1.ListTakedownsRequest;
import org.serverhold.api.v1.ListTakedownsResponse;
import org.serverhold.api.v1.SuspendedDomain;
import org.serverhold.api.v1.Takedown;
import org.serverhold.api.v1.TakedownReport;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.TakedownState;
import org.serverhold.api.v1.UnflagDomainRequest;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.flag.FlagDomainFlow;
import org.serverhold.registry.flag.FlagStore;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.name.DomainNames;
import org.serverhold.registry.policy.PolicySubscribers;
import org.serverhold.registry.takedown.IssueTakedownFlow;
import org.serverhold.registry.takedown.LiftTakedownFlow;
import org.serverhold.registry.takedown.TakedownOrder;
import org.serverhold.registry.takedown.TakedownQueries;

/** The bureau's API: the blacklist, takedowns and flags. */
public final class EnforcementGrpcService extends EnforcementServiceGrpc.EnforcementServiceImplBase {
  /** The flows and queries this service runs. */
  public record Flows(AddToBlacklistFlow add, RemoveFromBlacklistFlow remove, BlacklistQueries queries,
      IssueTakedownFlow takedown, LiftTakedownFlow lift, TakedownQueries takedowns, FlagDomainFlow flags,
      FlagStore flagStore, PolicySubscribers subscribers) {}

  private final AddToBlacklistFlow add;
  private final RemoveFromBlacklistFlow remove;
  private final BlacklistQueries queries;
  private final Flows flows;
  private final DomainNames names;
  private final Database db;
  private final Idempotency idempotency;
  private final Clock clock;

  public EnforcementGrpcService(Flows flows, DomainNames names, Database db, Idempotency idempotency, Clock clock) {
    this.add = flows.add();
    this.remove = flows.remove();
    this.queries = flows.queries();
    this.flows = flows;
    this.names = names;
    this.db = db;
    this.idempotency = idempotency;
    this.clock = clock;
  }

  @Override
  public void takedown(TakedownRequest request, StreamObserver<Takedown> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      DomainName name = v.check(() -> names.normalize("domain", request.getDomain()));
      String authority = v.text("authority", request.getAuthority(), true, 128);
      String caseNumber = v.text("case_number", request.getCaseNumber(), true, 128);
      String reason = v.text("reason", request.getReason(), true, 500);
      v.throwIfAny();
      var command = new IssueTakedownFlow.Command(name, authority, caseNumber, reason);
      return idempotency.run(caller, "Takedown", requestId, request, Takedown.parser(), tx -> {
        var order = flows.takedown().run(tx, caller, requestId, command);
        return ProtoMapper.takedown(order, new PolicySubscribers.Enforcement(0, 0));
      });
    });
  }

  @Override
  public void liftTakedown(LiftTakedownRequest request, StreamObserver<Takedown> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      long id = takedownId(v, request.getTakedownId());
      String authority = v.text("authority", request.getAuthority(), true, 128);
      String reason = v.text("reason", request.getReason(), true, 500);
      v.throwIfAny();
      return idempotency.run(caller, "LiftTakedown", requestId, request, Takedown.parser(), tx -> ProtoMapper.takedown(
          flows.lift().run(tx, caller, requestId, id, authority, reason), new PolicySubscribers.Enforcement(0, 0)));
    });
  }

  @Override
  public void getTakedown(GetTakedownRequest request, StreamObserver<Takedown> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      long id = takedownId(v, request.getTakedownId());
      v.throwIfAny();
      var order = flows.takedowns().get(id);
      return withEnforcement(order);
    });
  }

  @Override
  public void listTakedowns(ListTakedownsRequest request, StreamObserver<ListTakedownsResponse> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      int size = RegistrarGrpcService.pageSize(v, request.getPageSize());
      String authority = v.text("authority", request.getAuthority(), false, 128);
      if (request.getState() == TakedownState.UNRECOGNIZED) {
        v.add("state", "is not a known takedown state");
      }
      Instant issuedAfter = request.hasIssuedAfter() ? instant(v, "issued_after", request.getIssuedAfter()) : null;
      Instant issuedBefore = request.hasIssuedBefore() ? instant(v, "issued_before", request.getIssuedBefore()) : null;
      v.throwIfAny();
      Boolean inForce = switch (request.getState()) {
        case IN_FORCE -> true;
        case LIFTED -> false;
        default -> null;
      };
      var filter = new TakedownQueries.Filter(authority.isEmpty() ? null : authority, inForce, issuedAfter, issuedBefore);
      var page = flows.takedowns().list(filter, size, request.getPageToken());
      var b = ListTakedownsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      page.orders().forEach(o -> b.addTakedowns(withEnforcement(o)));
      return b.build();
    });
  }

  @Override
  public void getTakedownReport(GetTakedownReportRequest request, StreamObserver<TakedownReport> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      long id = takedownId(v, request.getTakedownId());
      if (request.getPageSize() < 0 || request.getPageSize() > 10_000) {
        v.add("page_size", "must be between 0 (default 1000) and 10000");
      }
      v.throwIfAny();
      int size = request.getPageSize() == 0 ? 1000 : request.getPageSize();
      var report = flows.takedowns().report(id, size, request.getPageToken(), caller.isRegulator());
      var b = TakedownReport.newBuilder()
          .setTakedown(withEnforcement(report.order()))
          .setNextPageToken(report.nextPageToken());
      if (report.holder() != null) {
        b.setHolder(ProtoMapper.revealed(report.holder()));
      }
      for (var d : report.domains()) {
        b.addDomains(SuspendedDomain.newBuilder().setDomain(d.name().ascii()).setUnicodeName(d.name().unicode())
            .setRegistrarId(d.registrarId()).setHold(ProtoMapper.hold(d.hold())).setSuspended(ProtoMapper.timestamp(d.since()))
            .setReleased(d.released()));
      }
      return b.build();
    });
  }

  @Override
  public void flagDomain(FlagDomainRequest request, StreamObserver<Flag> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      DomainName name = v.check(() -> names.normalize("name", request.getName()));
      boolean subtree = scope(v, request.getScope());
      String authority = v.text("authority", request.getAuthority(), true, 128);
      String caseNumber = v.text("case_number", request.getCaseNumber(), true, 128);
      String reason = v.text("reason", request.getReason(), true, 500);
      Instant expires = expires(v, request.hasExpires(), request.getExpires());
      v.throwIfAny();
      var command = new FlagDomainFlow.Command(name, subtree, authority, caseNumber, reason, expires);
      return idempotency.run(caller, "FlagDomain", requestId, request, Flag.parser(),
          tx -> ProtoMapper.flag(flows.flags().flag(tx, caller, requestId, command), clock.instant()));
    });
  }

  @Override
  public void unflagDomain(UnflagDomainRequest request, StreamObserver<Flag> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      DomainName name = v.check(() -> names.normalize("name", request.getName()));
      boolean subtree = scope(v, request.getScope());
      String reason = v.text("reason", request.getReason(), true, 500);
      v.throwIfAny();
      return idempotency.run(caller, "UnflagDomain", requestId, request, Flag.parser(),
          tx -> ProtoMapper.flag(flows.flags().unflag(tx, caller, requestId, name, subtree, reason), clock.instant()));
    });
  }

  @Override
  public void listFlags(ListFlagsRequest request, StreamObserver<ListFlagsResponse> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      int size = RegistrarGrpcService.pageSize(v, request.getPageSize());
      long after = 0;
      if (!request.getPageToken().isEmpty()) {
        if (!request.getPageToken().matches("f[0-9]{1,18}")) {
          v.add("page_token", "is not a token this service issued");
        } else {
          after = Long.parseLong(request.getPageToken().substring(1));
        }
      }
      v.throwIfAny();
      Instant now = clock.instant();
      var where = org.serverhold.registry.schema.Tables.FLAG.ID.gt(after);
      if (!request.getIncludeInactive()) {
        where = where.and(org.serverhold.registry.schema.Tables.FLAG.LIFTED_AT.isNull())
            .and(org.serverhold.registry.schema.Tables.FLAG.EXPIRES_AT.isNull()
                .or(org.serverhold.registry.schema.Tables.FLAG.EXPIRES_AT.gt(
                    org.serverhold.registry.database.Timestamps.toDb(now))));
      }
      var w = where;
      var rows = db.transaction(tx -> flows.flagStore().list(tx, w, size + 1));
      var b = ListFlagsResponse.newBuilder();
      rows.stream().limit(size).forEach(f -> b.addFlags(ProtoMapper.flag(f, now)));
      if (rows.size() > size) {
        b.setNextPageToken("f" + rows.get(size - 1).id());
      }
      return b.build();
    });
  }

  /** An order as the bureau reads it: with how many subscribed resolvers enforce it so far. */
  private Takedown withEnforcement(TakedownOrder order) {
    return ProtoMapper.takedown(order, flows.subscribers().enforcementOf(order.policyVersion()));
  }

  private static long takedownId(Violations v, String id) {
    long parsed = TakedownOrder.parsePublicId(id);
    if (parsed < 0) {
      v.add("takedown_id", "is not a takedown id (T followed by digits)");
    }
    return parsed;
  }

  private static boolean scope(Violations v, FlagScope scope) {
    if (scope != FlagScope.EXACT && scope != FlagScope.SUBTREE) {
      v.add("scope", "must be EXACT or SUBTREE");
    }
    return scope == FlagScope.SUBTREE;
  }

  /**
   * A timestamp off the wire: a field violation unless it is a valid google.protobuf.Timestamp
   * (0001-01-01 to 9999-12-31, nanos 0-999999999). Out-of-range seconds would otherwise throw in
   * Instant (INTERNAL) or fail the DATETIME write after validation (INTERNAL).
   */
  private static Instant instant(Violations v, String field, com.google.protobuf.Timestamp t) {
    if (!com.google.protobuf.util.Timestamps.isValid(t)) {
      v.add(field, "is not a valid timestamp (years 0001 to 9999)");
      return null;
    }
    return ProtoMapper.instant(t);
  }

  private Instant expires(Violations v, boolean present, com.google.protobuf.Timestamp t) {
    if (!present) {
      return null;
    }
    Instant e = instant(v, "expires", t);
    if (e != null && !e.isAfter(clock.instant())) {
      v.add("expires", "must be in the future");
    }
    return e;
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
      Instant expires = expires(v, request.hasExpires(), request.getExpires());
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
