package org.serverhold.cli;

import java.util.List;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.BlacklistEntry;
import org.serverhold.api.v1.CheckHolderRequest;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.ListBlacklistRequest;
import org.serverhold.api.v1.RemoveFromBlacklistRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The holder blacklist, for bureau staff. */
@Command(name = "blacklist", mixinStandardHelpOptions = true, description = "Add, remove, list, check blacklisted holders.",
    subcommands = {BlacklistCommand.Add.class, BlacklistCommand.Remove.class, BlacklistCommand.ListEntries.class,
        BlacklistCommand.Check.class})
public final class BlacklistCommand {
  static EnforcementServiceGrpc.EnforcementServiceBlockingStub stub(ClientOptions client, io.grpc.ManagedChannel ch) {
    return client.stub(EnforcementServiceGrpc.newBlockingStub(ch));
  }

  static List<Object> row(BlacklistEntry e) {
    return List.of(e.getId(), e.getHolderId(), e.getIdentity().getType(), e.getIdentity().getMaskedNumber(),
        e.getIdentity().getName(), e.getSource(), e.getCaseNumber(), e.getAuthority(), e.getActive() ? "yes" : "no");
  }

  static final List<String> HEADERS = List.of("ID", "HOLDER", "TYPE", "NUMBER", "NAME", "SOURCE", "CASE", "AUTHORITY", "ACTIVE");

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Blacklist a holder (holds its live domains).")
  static final class Add implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin IdentityOptions identity;
    @Option(names = "--reason", required = true) String reason;
    @Option(names = "--case", required = true, description = "Case number.") String caseNumber;
    @Option(names = "--authority", required = true, description = "The authority ordering it.") String authority;
    @Option(names = "--until", description = "Expiry, ISO-8601 instant (e.g. 2027-01-01T00:00:00Z).") java.time.Instant until;

    @Override
    public void run() {
      var b = AddToBlacklistRequest.newBuilder().setRequestId(client.requestId()).setIdentity(identity.toProto())
          .setReason(reason).setCaseNumber(caseNumber).setAuthority(authority);
      if (until != null) {
        b.setExpires(com.google.protobuf.Timestamp.newBuilder().setSeconds(until.getEpochSecond()));
      }
      BlacklistEntry e = client.with(ch -> stub(client, ch).addToBlacklist(b.build()));
      output.message(e, "blacklisted holder " + e.getHolderId() + " (" + e.getIdentity().getMaskedNumber() + "), entry " + e.getId());
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Lift a holder's manual entries.")
  static final class Remove implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin IdentityOptions identity;
    @Option(names = "--reason", required = true) String reason;

    @Override
    public void run() {
      var r = client.with(ch -> stub(client, ch).removeFromBlacklist(RemoveFromBlacklistRequest.newBuilder()
          .setRequestId(client.requestId()).setIdentity(identity.toProto()).setReason(reason).build()));
      output.message(r, "lifted " + r.getEntriesLifted() + " entr" + (r.getEntriesLifted() == 1 ? "y" : "ies")
          + (r.getStillBlacklisted() ? "; other entries keep the holder blacklisted" : "; the holder is no longer blacklisted"));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List blacklist entries (all pages).")
  static final class ListEntries implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--all", description = "Include lifted and expired entries.") boolean all;

    @Override
    public void run() {
      List<BlacklistEntry> entries = client.with(ch -> {
        var stub = stub(client, ch);
        List<BlacklistEntry> out = new java.util.ArrayList<>();
        String token = "";
        do {
          var page = stub.listBlacklist(ListBlacklistRequest.newBuilder().setPageSize(500).setPageToken(token)
              .setIncludeInactive(all).build());
          out.addAll(page.getEntriesList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
      });
      output.messages(entries, HEADERS, m -> row((BlacklistEntry) m));
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true, description = "Is this identity blacklisted?")
  static final class Check implements java.util.concurrent.Callable<Integer> {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Mixin IdentityOptions identity;

    @Override
    public Integer call() {
      var r = client.with(ch -> stub(client, ch).checkHolder(CheckHolderRequest.newBuilder()
          .setIdentity(identity.toProto()).build()));
      output.message(r, (r.getBlacklisted() ? "BLACKLISTED" : "not blacklisted")
          + (r.getKnown() ? " (holder known, " + r.getActiveDomains() + " live domains)" : " (unknown holder)")
          + r.getEntriesList().stream().map(e -> "\n  entry " + e.getId() + ": " + e.getReason() + " - case " + e.getCaseNumber()
              + " (" + e.getAuthority() + ", " + e.getSource() + ")").reduce("", String::concat));
      return r.getBlacklisted() ? 4 : 0;
    }
  }
}
