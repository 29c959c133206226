package org.serverhold.cli;

import java.util.List;
import org.serverhold.api.v1.DecideReviewRequest;
import org.serverhold.api.v1.FederationAdminServiceGrpc;
import org.serverhold.api.v1.FederationStatus;
import org.serverhold.api.v1.GetFederationStatusRequest;
import org.serverhold.api.v1.ImportedEntry;
import org.serverhold.api.v1.ListReviewsRequest;
import org.serverhold.api.v1.PeerStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Blacklist sharing with peer registries: status and the review queue. */
@Command(name = "federation", mixinStandardHelpOptions = true,
    description = "Blacklist sharing with peer registries: status, and imports waiting for review.",
    subcommands = {FederationCommand.Status.class, FederationCommand.Review.class})
public final class FederationCommand {
  static FederationAdminServiceGrpc.FederationAdminServiceBlockingStub stub(ClientOptions client, io.grpc.ManagedChannel ch) {
    return client.stub(FederationAdminServiceGrpc.newBlockingStub(ch));
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Each peer: version applied, the peer's head, lag, connection, last error.")
  static final class Status implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;

    @Override
    public void run() {
      FederationStatus s = client.with(ch -> stub(client, ch).getFederationStatus(GetFederationStatusRequest.getDefaultInstance()));
      if (output.json) {
        output.message(s, "");
        return;
      }
      output.out().println("registry " + s.getRegistryId() + (s.getKeyConfigured() ? "" : " (NO federation key: not exporting)")
          + ", export version " + s.getExportVersion());
      output.messages(s.getPeersList(), List.of("PEER", "TARGET", "MODE", "VERSION", "PEER HEAD", "LAG", "CONNECTED",
          "IN FORCE", "LAST ERROR"), m -> {
            PeerStatus p = (PeerStatus) m;
            return List.of(p.getPeerId(), p.getTarget(), p.getMode(), p.getAppliedVersion(), p.getPeerHeadVersion(),
                p.getLag(), p.getConnected() ? "yes" : "no", p.getEntriesInForce(),
                p.getLastError().isEmpty() ? "-" : p.getLastError());
          });
    }
  }

  static List<Object> row(ImportedEntry e) {
    return List.of("F" + e.getId(), e.getPeerId(), e.getSourceOrder(), e.getCaseNumber(), e.getAuthority(),
        e.getIdentityType(), e.getHolderId().isEmpty() ? "(unknown here)" : e.getHolderId(), e.getState(),
        e.getDomainsHeld());
  }

  static final List<String> HEADERS = List.of("ID", "PEER", "ORDER", "CASE", "AUTHORITY", "TYPE", "HOLDER", "STATE",
      "HELD");

  @Command(name = "review", mixinStandardHelpOptions = true,
      description = "Imports from peers in review mode: list, accept (apply as suspend) or reject.",
      subcommands = {Review.ListQueue.class, Review.Accept.class, Review.Reject.class})
  static final class Review {
    @Command(name = "list", mixinStandardHelpOptions = true, description = "Imports waiting for a decision.")
    static final class ListQueue implements Runnable {
      @Mixin ClientOptions client;
      @Mixin Output output;
      @Option(names = "--all", description = "Include decided ones.") boolean all;

      @Override
      public void run() {
        var r = client.with(ch -> stub(client, ch).listReviews(ListReviewsRequest.newBuilder().setIncludeDecided(all).build()));
        output.messages(r.getEntriesList(), HEADERS, m -> row((ImportedEntry) m));
      }
    }

    abstract static class Decide implements Runnable {
      @Mixin ClientOptions client;
      @Mixin Output output;
      @Parameters(index = "0", description = "The import's id (F12 or 12).") String id;
      @Option(names = "--reason", required = true, description = "Why (recorded in the audit log).") String reason;

      abstract boolean accept();

      @Override
      public void run() {
        long n = Long.parseLong(id.startsWith("F") || id.startsWith("f") ? id.substring(1) : id);
        ImportedEntry e = client.with(ch -> stub(client, ch).decideReview(DecideReviewRequest.newBuilder()
            .setRequestId(client.requestId()).setId(n).setAccept(accept()).setReason(reason).build()));
        output.message(e, "F" + e.getId() + " " + (accept() ? "accepted: " + e.getDomainsHeld() + " domains held"
            : "rejected"));
      }
    }

    @Command(name = "accept", mixinStandardHelpOptions = true, description = "Apply a queued import as suspend.")
    static final class Accept extends Decide {
      @Override
      boolean accept() {
        return true;
      }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Do not act on a queued import.")
    static final class Reject extends Decide {
      @Override
      boolean accept() {
        return false;
      }
    }
  }
}
