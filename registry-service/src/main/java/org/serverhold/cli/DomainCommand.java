package org.serverhold.cli;

import java.util.List;
import java.util.stream.Collectors;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.DeleteDomainRequest;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.ListDomainsRequest;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.Registrant;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.api.v1.TransferDomainRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A registrar's everyday operations against a running registry. */
@Command(name = "domain", mixinStandardHelpOptions = true, description = "Check, register, show, list, transfer, delete domains.",
    subcommands = {DomainCommand.Check.class, DomainCommand.Register.class, DomainCommand.Show.class,
        DomainCommand.ListDomains.class, DomainCommand.Transfer.class, DomainCommand.Delete.class,
        DomainCommand.Verify.class})
public final class DomainCommand {
  static RegistrarServiceGrpc.RegistrarServiceBlockingStub stub(ClientOptions client, io.grpc.ManagedChannel ch) {
    return client.stub(RegistrarServiceGrpc.newBlockingStub(ch));
  }

  static String describe(Domain d) {
    StringBuilder b = new StringBuilder();
    b.append(d.getName());
    if (!d.getUnicodeName().equals(d.getName())) {
      b.append(" (").append(d.getUnicodeName()).append(')');
    }
    b.append("\n  state:      ").append(d.getState())
        .append("\n  registrar:  ").append(d.getRegistrarId())
        .append("\n  registrant: ").append(d.getRegistrantHandle()).append(" (holder ").append(d.getHolderId()).append(')')
        .append("\n  filing:     ").append(d.getFilingNumber().isEmpty() ? "-" : d.getFilingNumber())
        .append("\n  resolvable: ").append(d.getResolvable() ? "yes" : "no");
    for (var h : d.getHoldsList()) {
      b.append("\n  hold:       ").append(h.getReason().name().replaceFirst("^HOLD_", "")).append(" - ").append(h.getReference());
    }
    return b.toString();
  }

  /** The registrant of a request: a handle and, for a new handle, the identity. */
  static final class RegistrantOptions {
    @Option(names = "--registrant", required = true, description = "Your handle for the registrant.") String handle;
    @Mixin IdentityOptions identity;
    @Option(names = "--email", description = "Registrant email.") String email;
    @Option(names = "--phone", description = "Registrant phone.") String phone;

    Registrant toProto() {
      var b = Registrant.newBuilder().setHandle(handle);
      if (identity.given()) {
        b.setIdentity(identity.toProto());
      }
      if (email != null) {
        b.setEmail(email);
      }
      if (phone != null) {
        b.setPhone(phone);
      }
      return b.build();
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "May this registrant register this name?")
  static final class Check implements java.util.concurrent.Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin RegistrantOptions registrant;
    @Parameters(index = "0", description = "Domain name (Unicode or A-label).") String name;

    @Override
    public Integer call() {
      var r = client.with(ch -> stub(client, ch).checkRegistration(CheckRegistrationRequest.newBuilder()
          .setDomain(name).setRegistrant(registrant.toProto()).build()));
      output.message(r, (r.getAllowed() ? "allowed: " : "refused: ") + (r.getDomain().isEmpty() ? name : r.getDomain())
          + (r.getReasonsCount() > 0 ? "\n  reasons: " + r.getReasonsList().stream().map(Enum::name).collect(Collectors.joining(", ")) : "")
          + (r.getHoldsOnCreateCount() > 0 ? "\n  would be held until resolved: " + r.getHoldsOnCreateList().stream()
              .map(h -> h.name().replaceFirst("^HOLD_", "")).collect(Collectors.joining(", ")) : ""));
      return r.getAllowed() ? 0 : 4;
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true, description = "Register a name.")
  static final class Register implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin RegistrantOptions registrant;
    @Option(names = "--years", defaultValue = "1", description = "Registration period (default: ${DEFAULT-VALUE}).") int years;
    @Parameters(index = "0", description = "Domain name.") String name;

    @Override
    public void run() {
      Domain d = client.with(ch -> stub(client, ch).registerDomain(RegisterDomainRequest.newBuilder()
          .setRequestId(client.requestId()).setDomain(name).setRegistrant(registrant.toProto()).setYears(years).build()));
      output.message(d, "registered " + describe(d));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one of your domains.")
  static final class Show implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Domain name.") String name;

    @Override
    public void run() {
      Domain d = client.with(ch -> stub(client, ch).getDomain(GetDomainRequest.newBuilder().setDomain(name).build()));
      output.message(d, describe(d));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List your domains (all pages).")
  static final class ListDomains implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--registrant", description = "Only this registrant handle.") String handle;
    @Option(names = "--zone", description = "Only this zone.") String zone;
    @Option(names = "--include-deleted", description = "Also ended records (deleted, transferred).") boolean includeDeleted;

    @Override
    public void run() {
      List<Domain> all = client.with(ch -> {
        var stub = stub(client, ch);
        List<Domain> out = new java.util.ArrayList<>();
        String token = "";
        do {
          var b = ListDomainsRequest.newBuilder().setPageSize(500).setPageToken(token).setIncludeDeleted(includeDeleted);
          if (handle != null) {
            b.setRegistrantHandle(handle);
          }
          if (zone != null) {
            b.setZone(zone);
          }
          var page = stub.listDomains(b.build());
          out.addAll(page.getDomainsList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
      });
      output.messages(all, List.of("NAME", "STATE", "REGISTRANT", "FILING", "RESOLVABLE", "HOLDS"), m -> {
        Domain d = (Domain) m;
        return List.of(d.getName(), d.getState(), d.getRegistrantHandle(), d.getFilingNumber().isEmpty() ? "-" : d.getFilingNumber(),
            d.getResolvable() ? "yes" : "no", d.getHoldsList().stream().map(h -> h.getReason().name().replaceFirst("^HOLD_", ""))
                .collect(Collectors.joining(",")));
      });
    }
  }

  @Command(name = "transfer", mixinStandardHelpOptions = true,
      description = "Change the holder (a new registration of the same name, checked like one).")
  static final class Transfer implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin RegistrantOptions registrant;
    @Parameters(index = "0", description = "Domain name.") String name;

    @Override
    public void run() {
      Domain d = client.with(ch -> stub(client, ch).transferDomain(TransferDomainRequest.newBuilder()
          .setRequestId(client.requestId()).setDomain(name).setNewRegistrant(registrant.toProto()).build()));
      output.message(d, "transferred " + describe(d));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one of your domains.")
  static final class Delete implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Domain name.") String name;

    @Override
    public void run() {
      var r = client.with(ch -> stub(client, ch).deleteDomain(DeleteDomainRequest.newBuilder()
          .setRequestId(client.requestId()).setDomain(name).build()));
      output.message(r, "deleted " + r.getDomain());
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Record that you checked a registrant's identity in person (lifts IDENTITY_UNVERIFIED holds).")
  static final class Verify implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Registrant handle.") String handle;
    @Option(names = "--evidence", required = true, description = "Where your evidence is kept.") String evidence;
    @Option(names = "--enhanced", description = "Enhanced verification (spares the holder's other domains a grace cascade).")
    boolean enhanced;

    @Override
    public void run() {
      var r = client.with(ch -> stub(client, ch).verifyRegistrant(VerifyRegistrantRequest.newBuilder()
          .setRequestId(client.requestId()).setRegistrantHandle(handle).setEvidenceRef(evidence).setEnhanced(enhanced).build()));
      output.message(r, "registrant " + r.getHandle() + " verified (holder " + r.getHolderId() + ")");
    }
  }
}
