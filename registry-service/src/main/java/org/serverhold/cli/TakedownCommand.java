package org.serverhold.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.GetTakedownReportRequest;
import org.serverhold.api.v1.GetTakedownRequest;
import org.serverhold.api.v1.LiftTakedownRequest;
import org.serverhold.api.v1.ListTakedownsRequest;
import org.serverhold.api.v1.SuspendedDomain;
import org.serverhold.api.v1.Takedown;
import org.serverhold.api.v1.TakedownReport;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.TakedownState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Takedown orders, for bureau staff. */
@Command(name = "takedown", mixinStandardHelpOptions = true, description = "Issue, lift, show, list takedowns; pull reports.",
    subcommands = {TakedownCommand.Issue.class, TakedownCommand.Lift.class, TakedownCommand.Show.class,
        TakedownCommand.ListOrders.class, TakedownCommand.Report.class})
public final class TakedownCommand {
  static EnforcementServiceGrpc.EnforcementServiceBlockingStub stub(ClientOptions client, io.grpc.ManagedChannel ch) {
    return client.stub(EnforcementServiceGrpc.newBlockingStub(ch));
  }

  static String describe(Takedown t) {
    return "takedown " + t.getTakedownId() + " (" + t.getState() + ") of " + t.getDomain()
        + "\n  authority:   " + t.getAuthority() + ", case " + t.getCaseNumber()
        + "\n  reason:      " + t.getReason()
        + "\n  holder:      " + t.getHolderId() + (t.getHolderBlacklisted() ? " (blacklisted)" : " (not blacklisted)")
        + "\n  suspended:   " + t.getDomainsSuspended() + " domains (" + t.getCascadeCount() + " by cascade)"
        + (t.hasCascadeDeadline() && t.getCascadeCount() == 0 && t.getState() == TakedownState.IN_FORCE
            ? "\n  cascade due: " + java.time.Instant.ofEpochSecond(t.getCascadeDeadline().getSeconds()) : "")
        + "\n  issued:      " + java.time.Instant.ofEpochSecond(t.getIssued().getSeconds()) + " by " + t.getIssuedBy()
        + "\n  policy:      version " + t.getPolicyVersion() + ", applied by " + t.getResolversApplied()
        + " resolvers, pending at " + t.getResolversPending()
        + (t.hasLifted() ? "\n  lifted:      " + java.time.Instant.ofEpochSecond(t.getLifted().getSeconds()) + " by "
            + t.getLiftedBy() + " on the authority of " + t.getLiftAuthority() + ": " + t.getLiftReason() : "");
  }

  @Command(name = "issue", mixinStandardHelpOptions = true,
      description = "Take a domain down: it and every other domain of its holder stop resolving; the holder is blacklisted.")
  static final class Issue implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "The domain.") String domain;
    @Option(names = "--authority", required = true) String authority;
    @Option(names = "--case", required = true, description = "Case number.") String caseNumber;
    @Option(names = "--reason", required = true) String reason;

    @Override
    public void run() {
      Takedown t = client.with(ch -> stub(client, ch).takedown(TakedownRequest.newBuilder().setRequestId(client.requestId())
          .setDomain(domain).setAuthority(authority).setCaseNumber(caseNumber).setReason(reason).build()));
      output.message(t, describe(t));
    }
  }

  @Command(name = "lift", mixinStandardHelpOptions = true, description = "Lift a takedown on appeal (only its own holds).")
  static final class Lift implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Takedown id, e.g. T12.") String id;
    @Option(names = "--authority", required = true, description = "On whose authority.") String authority;
    @Option(names = "--reason", required = true) String reason;

    @Override
    public void run() {
      Takedown t = client.with(ch -> stub(client, ch).liftTakedown(LiftTakedownRequest.newBuilder()
          .setRequestId(client.requestId()).setTakedownId(id).setAuthority(authority).setReason(reason).build()));
      output.message(t, describe(t));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a takedown and how many resolvers enforce it.")
  static final class Show implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Takedown id.") String id;

    @Override
    public void run() {
      Takedown t = client.with(ch -> stub(client, ch).getTakedown(GetTakedownRequest.newBuilder().setTakedownId(id).build()));
      output.message(t, describe(t));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List takedowns, newest first (all pages).")
  static final class ListOrders implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--authority") String authority;
    @Option(names = "--state", description = "IN_FORCE or LIFTED.") TakedownState state;

    @Override
    public void run() {
      List<Takedown> all = client.with(ch -> {
        var stub = stub(client, ch);
        List<Takedown> out = new ArrayList<>();
        String token = "";
        do {
          var b = ListTakedownsRequest.newBuilder().setPageSize(500).setPageToken(token);
          if (authority != null) {
            b.setAuthority(authority);
          }
          if (state != null) {
            b.setState(state);
          }
          var page = stub.listTakedowns(b.build());
          out.addAll(page.getTakedownsList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
      });
      output.messages(all, List.of("ID", "DOMAIN", "STATE", "SUSPENDED", "AUTHORITY", "CASE", "ISSUED"), m -> {
        Takedown t = (Takedown) m;
        return List.of(t.getTakedownId(), t.getDomain(), t.getState(), t.getDomainsSuspended(), t.getAuthority(),
            t.getCaseNumber(), java.time.Instant.ofEpochSecond(t.getIssued().getSeconds()));
      });
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "The report for the bureau: the order, the holder, every domain suspended (table, --json or --csv).")
  static final class Report implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "Takedown id.") String id;
    @Option(names = "--csv", description = "Write CSV (one row per suspended domain).") boolean csv;

    @Override
    public void run() {
      TakedownReport whole = client.with(ch -> {
        var stub = stub(client, ch);
        TakedownReport.Builder all = null;
        String token = "";
        do {
          var page = stub.getTakedownReport(GetTakedownReportRequest.newBuilder().setTakedownId(id).setPageSize(5000)
              .setPageToken(token).build());
          if (all == null) {
            all = page.toBuilder().clearDomains().clearNextPageToken();
          }
          all.addAllDomains(page.getDomainsList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        return all.build();
      });
      if (csv) {
        PrintWriter out = output.out();
        out.println("takedown,case_number,authority,holder_type,holder_number,holder_name,domain,unicode_name,registrar,hold,suspended,released");
        for (SuspendedDomain d : whole.getDomainsList()) {
          out.println(String.join(",", List.of(whole.getTakedown().getTakedownId(), whole.getTakedown().getCaseNumber(),
              whole.getTakedown().getAuthority(), whole.getHolder().getType().name(), whole.getHolder().getNumber(),
              whole.getHolder().getName(), d.getDomain(), d.getUnicodeName(), d.getRegistrarId(),
              d.getHold().name().replaceFirst("^HOLD_", ""), java.time.Instant.ofEpochSecond(d.getSuspended().getSeconds()).toString(),
              Boolean.toString(d.getReleased())).stream().map(TakedownCommand::csvField).toList()));
        }
        out.flush();
        return;
      }
      StringBuilder text = new StringBuilder(describe(whole.getTakedown()))
          .append("\n  identity:    ").append(whole.getHolder().getType()).append(' ')
          .append(whole.getHolder().getNumber().isEmpty() ? whole.getHolder().getMaskedNumber() : whole.getHolder().getNumber())
          .append(' ').append(whole.getHolder().getName()).append("\n");
      if (output.json) {
        output.message(whole, "");
        return;
      }
      output.out().println(text);
      output.table(List.of("DOMAIN", "UNICODE", "REGISTRAR", "HOLD", "SUSPENDED", "RELEASED"),
          whole.getDomainsList().stream().map(d -> List.<Object>of(d.getDomain(), d.getUnicodeName(), d.getRegistrarId(),
              d.getHold().name().replaceFirst("^HOLD_", ""), java.time.Instant.ofEpochSecond(d.getSuspended().getSeconds()),
              d.getReleased() ? "yes" : "no")).toList());
    }
  }

  static String csvField(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
