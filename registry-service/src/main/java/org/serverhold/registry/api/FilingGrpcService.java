package org.serverhold.registry.api;

import io.grpc.stub.StreamObserver;
import org.serverhold.api.v1.Filing;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.GetFilingForDomainRequest;
import org.serverhold.api.v1.GetFilingForDomainResponse;
import org.serverhold.api.v1.GetFilingRequest;
import org.serverhold.api.v1.RevokeFilingRequest;
import org.serverhold.api.v1.ServiceType;
import org.serverhold.api.v1.SponsorType;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.failure.Violations;
import org.serverhold.registry.filing.FilingInput;
import org.serverhold.registry.filing.FilingNumber;
import org.serverhold.registry.filing.FilingQueries;
import org.serverhold.registry.filing.RevokeFilingFlow;
import org.serverhold.registry.filing.UpsertFilingFlow;
import org.serverhold.registry.name.DomainNames;

/** The filing system's API. The sponsor's identity number is returned in full only to a regulator. */
public final class FilingGrpcService extends FilingServiceGrpc.FilingServiceImplBase {
  private final UpsertFilingFlow upsert;
  private final RevokeFilingFlow revoke;
  private final FilingQueries queries;
  private final FilingInput input;
  private final DomainNames names;
  private final Idempotency idempotency;

  public FilingGrpcService(UpsertFilingFlow upsert, RevokeFilingFlow revoke, FilingQueries queries, FilingInput input,
      DomainNames names, Idempotency idempotency) {
    this.upsert = upsert;
    this.revoke = revoke;
    this.queries = queries;
    this.input = input;
    this.names = names;
    this.idempotency = idempotency;
  }

  @Override
  public void upsertFiling(UpsertFilingRequest request, StreamObserver<Filing> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      Filing f = request.getFiling();
      var id = f.getSponsorIdentity();
      if (f.getSponsorType() == SponsorType.UNRECOGNIZED) {
        v.add("filing.sponsor_type", "is not a known sponsor type");
      }
      if (f.getServiceType() == ServiceType.UNRECOGNIZED) {
        v.add("filing.service_type", "is not a known service type");
      }
      var raw = new FilingInput.Raw(f.getFilingNumber(), f.getMainNumber(), f.getSponsorName(), sponsorType(f.getSponsorType()),
          f.hasSponsorIdentity() ? ProtoMapper.identityType(id.getType()) : null, id.getNumber(), id.getName(),
          serviceType(f.getServiceType()), f.getServiceName(), f.getAccessProvider(), f.getDomainsList(),
          f.hasSponsorIdentity());
      var filing = input.validate(v, raw);
      return idempotency.run(caller, "UpsertFiling", requestId, request, Filing.parser(),
          tx -> ProtoMapper.filing(upsert.run(tx, caller, requestId, filing)));
    });
  }

  @Override
  public void revokeFiling(RevokeFilingRequest request, StreamObserver<Filing> response) {
    Rpc.unary(response, () -> {
      Principal caller = Caller.current();
      Violations v = new Violations();
      String requestId = v.requestId(request.getRequestId());
      FilingNumber number = v.check(() -> FilingNumber.parse("filing_number", request.getFilingNumber()));
      String reason = v.text("reason", request.getReason(), true, 500);
      v.throwIfAny();
      return idempotency.run(caller, "RevokeFiling", requestId, request, Filing.parser(),
          tx -> ProtoMapper.filing(revoke.run(tx, caller, requestId, number.value(), reason)));
    });
  }

  @Override
  public void getFiling(GetFilingRequest request, StreamObserver<Filing> response) {
    Rpc.unary(response, () -> {
      FilingNumber number = FilingNumber.parse("filing_number", request.getFilingNumber());
      return ProtoMapper.filing(queries.get(number.value(), Caller.current().isRegulator()));
    });
  }

  @Override
  public void getFilingForDomain(GetFilingForDomainRequest request, StreamObserver<GetFilingForDomainResponse> response) {
    Rpc.unary(response, () -> {
      var name = names.normalize("domain", request.getDomain());
      var found = queries.forDomain(name, Caller.current().isRegulator());
      return GetFilingForDomainResponse.newBuilder().setFiling(ProtoMapper.filing(found.filing()))
          .setSponsorMismatch(found.sponsorMismatch()).setDomain(name.ascii()).build();
    });
  }

  private static org.serverhold.registry.filing.SponsorType sponsorType(SponsorType t) {
    return switch (t) {
      case SPONSOR_TYPE_UNSPECIFIED, UNRECOGNIZED -> null;
      default -> org.serverhold.registry.filing.SponsorType.valueOf(t.name());
    };
  }

  private static org.serverhold.registry.filing.ServiceType serviceType(ServiceType t) {
    return switch (t) {
      case SERVICE_TYPE_UNSPECIFIED, UNRECOGNIZED -> null;
      default -> org.serverhold.registry.filing.ServiceType.valueOf(t.name());
    };
  }
}
