package org.serverhold.registry.api;

import io.grpc.stub.StreamObserver;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.CheckRegistrationResponse;
import org.serverhold.api.v1.DeleteDomainRequest;
import org.serverhold.api.v1.DeleteDomainResponse;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.ListDomainsRequest;
import org.serverhold.api.v1.ListDomainsResponse;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.Registrant;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.api.v1.TransferDomainRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.domain.CheckRegistrationFlow;
import org.serverhold.registry.domain.DeleteDomainFlow;
import org.serverhold.registry.domain.DomainQueries;
import org.serverhold.registry.domain.RegisterDomainFlow;
import org.serverhold.registry.domain.TransferDomainFlow;
import org.serverhold.registry.domain.VerifyRegistrantFlow;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.holder.RegistrantInput;
import org.serverhold.registry.name.DomainName;
import org.serverhold.registry.name.DomainNames;

/** The registrars' API: validates each request, runs its flow, maps the result. */
public final class RegistrarGrpcService extends RegistrarServiceGrpc.RegistrarServiceImplBase {
  /** The flows this service runs. */
  public record Flows(CheckRegistrationFlow check, RegisterDomainFlow register, TransferDomainFlow transfer,
      DeleteDomainFlow delete, VerifyRegistrantFlow verify, DomainQueries queries) {}

  private final Flows flows;
  private final DomainNames names;
  private final Idempotency idempotency;

  public RegistrarGrpcService(Flows flows, DomainNames names, Idempotency idempotency) {
    this.flows = flows;
    this.names = names;
    this.idempotency = idempotency;
  }

  @Override
  public void checkRegistration(CheckRegistrationRequest request, StreamObserver<CheckRegistrationResponse> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      RegistrantInput registrant = registrant(v, "registrant", request.getRegistrant());
      v.throwIfAny();
      var outcome = flows.check().check(Caller.current(), request.getDomain(), registrant);
      var b = CheckRegistrationResponse.newBuilder().setAllowed(outcome.decision().allowed());
      outcome.decision().refusals().forEach(r -> b.addReasons(ProtoMapper.refusal(r)));
      outcome.decision().holdsOnCreate().forEach(h -> b.addHoldsOnCreate(ProtoMapper.hold(h)));
      if (outcome.name() != null) {
        b.setDomain(outcome.name().ascii());
      }
      return b.build();
    });
  }

  @Override
  public void registerDomain(RegisterDomainRequest request, StreamObserver<Domain> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      DomainName name = v.check(() -> names.normalize("domain", request.getDomain()));
      RegistrantInput registrant = registrant(v, "registrant", request.getRegistrant());
      if (request.getYears() < 1 || request.getYears() > 10) {
        v.add("years", "must be between 1 and 10");
      }
      v.throwIfAny();
      var command = new RegisterDomainFlow.Command(name, registrant, request.getYears());
      return idempotency.run(caller, "RegisterDomain", requestId, request, Domain.parser(),
          tx -> ProtoMapper.domain(flows.register().run(tx, caller, requestId, command)));
    });
  }

  @Override
  public void getDomain(GetDomainRequest request, StreamObserver<Domain> response) {
    Rpc.unary(response, () -> ProtoMapper.domain(
        flows.queries().get(Caller.current(), names.normalize("domain", request.getDomain()))));
  }

  @Override
  public void listDomains(ListDomainsRequest request, StreamObserver<ListDomainsResponse> response) {
    Rpc.unary(response, () -> {
      Violations v = new Violations();
      int size = pageSize(v, request.getPageSize());
      String zone = request.getZone().isEmpty() ? "" : v.check(() -> names.normalize("zone", request.getZone()).ascii());
      String handle = v.text("registrant_handle", request.getRegistrantHandle(), false, 64);
      v.throwIfAny();
      var page = flows.queries().list(Caller.current(), size, request.getPageToken(),
          new DomainQueries.Filter(handle, zone, request.getIncludeDeleted()));
      var b = ListDomainsResponse.newBuilder().setNextPageToken(page.nextPageToken());
      page.domains().forEach(d -> b.addDomains(ProtoMapper.domain(d)));
      return b.build();
    });
  }

  @Override
  public void transferDomain(TransferDomainRequest request, StreamObserver<Domain> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      DomainName name = v.check(() -> names.normalize("domain", request.getDomain()));
      RegistrantInput registrant = registrant(v, "new_registrant", request.getNewRegistrant());
      v.throwIfAny();
      return idempotency.run(caller, "TransferDomain", requestId, request, Domain.parser(),
          tx -> ProtoMapper.domain(flows.transfer().run(tx, caller, requestId, name, registrant)));
    });
  }

  @Override
  public void deleteDomain(DeleteDomainRequest request, StreamObserver<DeleteDomainResponse> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      DomainName name = v.check(() -> names.normalize("domain", request.getDomain()));
      v.throwIfAny();
      return idempotency.run(caller, "DeleteDomain", requestId, request, DeleteDomainResponse.parser(), tx -> {
        flows.delete().run(tx, caller, requestId, name);
        return DeleteDomainResponse.newBuilder().setDomain(name.ascii()).build();
      });
    });
  }

  @Override
  public void verifyRegistrant(VerifyRegistrantRequest request, StreamObserver<Registrant> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      String handle = RegistrantInput.validHandle(v, "registrant_handle", request.getRegistrantHandle());
      String evidence = v.text("evidence_ref", request.getEvidenceRef(), true, 255);
      v.throwIfAny();
      return idempotency.run(caller, "VerifyRegistrant", requestId, request, Registrant.parser(),
          tx -> ProtoMapper.registrant(flows.verify().run(tx, caller, requestId, handle, evidence, request.getEnhanced())));
    });
  }

  static int pageSize(Violations v, int requested) {
    if (requested < 0 || requested > 1000) {
      v.add("page_size", "must be between 0 (default 100) and 1000");
      return 100;
    }
    return requested == 0 ? 100 : requested;
  }

  static RegistrantInput registrant(Violations v, String field, Registrant r) {
    boolean identityGiven = r.hasIdentity();
    var id = r.getIdentity();
    if (identityGiven && id.getType() == org.serverhold.api.v1.IdentityType.UNRECOGNIZED) {
      v.add(field + ".identity.type", "is not a known identity type");
    }
    return RegistrantInput.validate(v, field, r.getHandle(),
        id.getType() == org.serverhold.api.v1.IdentityType.UNRECOGNIZED ? null : ProtoMapper.identityType(id.getType()),
        id.getNumber(), id.getName(), r.getEmail(), r.getPhone(), identityGiven);
  }
}
