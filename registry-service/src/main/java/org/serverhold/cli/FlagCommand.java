package org.serverhold.cli;

import java.util.ArrayList;
import java.util.List;
import org.serverhold.api.v1.EnforcementServiceGrpc;
import org.serverhold.api.v1.Flag;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.ListFlagsRequest;
import org.serverhold.api.v1.UnflagDomainRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Flags: names refused whether or not they are registered here. */
@Command(name = "flag", mixinStandardHelpOptions = true, description = "Flag names (exactly or with their subtree), unflag, list.",
    subcommands = {FlagCommand.Add.class, FlagCommand.Remove.class, FlagCommand.ListFlags.class})
public final class FlagCommand {
  static EnforcementServiceGrpc.EnforcementServiceBlockingStub stub(ClientOptions client, io.grpc.ManagedChannel ch) {
    return client.stub(EnforcementServiceGrpc.newBlockingStub(ch));
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Flag a name.")
  static final class Add implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0", description = "The name (any name, in our zones or not).") String name;
    @Option(names = "--subtree", description = "Also every name below it.") boolean subtree;
    @Option(names = "--authority", required = true) String authority;
    @Option(names = "--case", required = true, description = "Case number.") String caseNumber;
    @Option(names = "--reason", required = true) String reason;
    @Option(names = "--until", description = "Expiry, ISO-8601 instant.") java.time.Instant until;

    @Override
    public void run() {
      var b = FlagDomainRequest.newBuilder().setRequestId(client.requestId()).setName(name)
          .setScope(subtree ? FlagScope.SUBTREE : FlagScope.EXACT).setAuthority(authority).setCaseNumber(caseNumber)
          .setReason(reason);
      if (until != null) {
        b.setExpires(com.google.protobuf.Timestamp.newBuilder().setSeconds(until.getEpochSecond()));
      }
      Flag f = client.with(ch -> stub(client, ch).flagDomain(b.build()));
      output.message(f, "flagged " + f.getName() + (subtree ? " and its subtree" : "") + " (flag " + f.getId() + ")");
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Unflag a name.")
  static final class Remove implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Parameters(index = "0") String name;
    @Option(names = "--subtree", description = "Remove the subtree flag (not the exact one).") boolean subtree;
    @Option(names = "--reason", required = true) String reason;

    @Override
    public void run() {
      Flag f = client.with(ch -> stub(client, ch).unflagDomain(UnflagDomainRequest.newBuilder().setRequestId(client.requestId())
          .setName(name).setScope(subtree ? FlagScope.SUBTREE : FlagScope.EXACT).setReason(reason).build()));
      output.message(f, "unflagged " + f.getName());
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List flags (all pages).")
  static final class ListFlags implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--all", description = "Include lifted and expired flags.") boolean all;

    @Override
    public void run() {
      List<Flag> flags = client.with(ch -> {
        var stub = stub(client, ch);
        List<Flag> out = new ArrayList<>();
        String token = "";
        do {
          var page = stub.listFlags(ListFlagsRequest.newBuilder().setPageSize(500).setPageToken(token).setIncludeInactive(all).build());
          out.addAll(page.getFlagsList());
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        return out;
      });
      output.messages(flags, List.of("ID", "NAME", "SCOPE", "CASE", "AUTHORITY", "ACTIVE"), m -> {
        Flag f = (Flag) m;
        return List.of(f.getId(), f.getName(), f.getScope(), f.getCaseNumber(), f.getAuthority(), f.getActive() ? "yes" : "no");
      });
    }
  }
}
