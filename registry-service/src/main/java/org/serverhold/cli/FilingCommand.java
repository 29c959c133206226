package org.serverhold.cli;

import java.util.List;
import org.serverhold.api.v1.Filing;
import org.serverhold.api.v1.FilingServiceGrpc;
import org.serverhold.api.v1.GetFilingForDomainRequest;
import org.serverhold.api.v1.GetFilingRequest;
import org.serverhold.api.v1.RevokeFilingRequest;
import org.serverhold.api.v1.ServiceType;
import org.serverhold.api.v1.SponsorType;
import org.serverhold.api.v1.UpsertFilingRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ICP filings, for the filing system or a bureau. */
@Command(name = "filing", mixinStandardHelpOptions = true, description = "Upsert, revoke, show ICP filings.",
    subcommands = {FilingCommand.Upsert.class, FilingCommand.Revoke.class, FilingCommand.Show.class})
public final class FilingCommand {
  static FilingServiceGrpc.FilingServiceBlockingStub stub(ClientOptions client, io.grpc.ManagedChannel ch) {
    return client.stub(FilingServiceGrpc.newBlockingStub(ch));
  }

  static String describe(Filing f) {
    return f.getFilingNumber() + " (" + f.getStatus().name().replaceFirst("^FILING_", "") + ")"
        + "\n  main number: " + f.getMainNumber()
        + "\n  sponsor:     " + f.getSponsorName() + " (" + f.getSponsorType() + ")"
        + (f.hasSponsorIdentity() ? "\n  certificate: " + f.getSponsorIdentity().getType() + " "
            + (f.getSponsorIdentity().getNumber().isEmpty() ? f.getSponsorIdentity().getMaskedNumber()
                : f.getSponsorIdentity().getNumber()) : "")
        + "\n  service:     " + f.getServiceName() + " (" + f.getServiceType() + ") via " + f.getAccessProvider()
        + "\n  domains:     " + String.join(", ", f.getDomainsList())
        + (f.getRevokeReason().isEmpty() ? "" : "\n  revoked:     " + f.getRevokeReason());
  }

  @Command(name = "upsert", mixinStandardHelpOptions = true, description = "Create or replace a filing.")
  static final class Upsert implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin IdentityOptions identity;
    @Parameters(index = "0", description = "Filing number, e.g. 京ICP备12345678号-1.") String number;
    @Option(names = "--sponsor", required = true, description = "Sponsor's name.") String sponsor;
    @Option(names = "--sponsor-type", defaultValue = "ENTERPRISE", description = "${COMPLETION-CANDIDATES}") SponsorType sponsorType;
    @Option(names = "--service-type", defaultValue = "WEBSITE", description = "${COMPLETION-CANDIDATES}") ServiceType serviceType;
    @Option(names = "--service-name", required = true, description = "Name of the site or app.") String serviceName;
    @Option(names = "--access-provider", required = true, description = "Hosting / access provider.") String provider;
    @Option(names = "--domain", required = true, description = "A name it covers (repeat).") List<String> domains;

    @Override
    public void run() {
      var f = Filing.newBuilder().setFilingNumber(number).setSponsorName(sponsor).setSponsorType(sponsorType)
          .setServiceType(serviceType).setServiceName(serviceName).setAccessProvider(provider).addAllDomains(domains);
      if (identity.given()) {
        f.setSponsorIdentity(identity.toProto());
      }
      Filing stored = client.with(ch -> stub(client, ch).upsertFiling(UpsertFilingRequest.newBuilder()
          .setRequestId(client.requestId()).setFiling(f).build()));
      output.message(stored, "filed " + describe(stored));
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a filing: its names stop resolving.")
  static final class Revoke implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Filing number.") String number;
    @Option(names = "--reason", required = true, description = "Why.") String reason;

    @Override
    public void run() {
      Filing f = client.with(ch -> stub(client, ch).revokeFiling(RevokeFilingRequest.newBuilder()
          .setRequestId(client.requestId()).setFilingNumber(number).setReason(reason).build()));
      output.message(f, "revoked " + describe(f));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a filing, by number or by --domain.")
  static final class Show implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", arity = "0..1", description = "Filing number.") String number;
    @Option(names = "--domain", description = "Show the active filing covering this name instead.") String domain;

    @Override
    public void run() {
      if ((number == null) == (domain == null)) {
        throw new IllegalArgumentException("give a filing number or --domain, not both");
      }
      if (domain != null) {
        var r = client.with(ch -> stub(client, ch).getFilingForDomain(GetFilingForDomainRequest.newBuilder()
            .setDomain(domain).build()));
        output.message(r, r.getDomain() + " is covered by " + describe(r.getFiling())
            + (r.getSponsorMismatch() ? "\n  WARNING: the sponsor is not the domain's holder" : ""));
      } else {
        Filing f = client.with(ch -> stub(client, ch).getFiling(GetFilingRequest.newBuilder().setFilingNumber(number).build()));
        output.message(f, describe(f));
      }
    }
  }
}
