package org.serverhold.cli;

import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.GetPolicySnapshotRequest;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.api.v1.WatchPolicyRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The policy feed as a resolver sees it (role RESOLVER). */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Take a policy snapshot, or watch changes as they come.",
    subcommands = {PolicyCommand.Snapshot.class, PolicyCommand.Watch.class})
public final class PolicyCommand {
  @Command(name = "snapshot", mixinStandardHelpOptions = true,
      description = "Write the whole policy (length-delimited PolicySnapshotChunk messages) to a file and show counts.")
  static final class Snapshot implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--out", required = true, description = "File to write.") Path file;

    @Override
    public void run() {
      Map<DenyReason, Integer> byReason = new EnumMap<>(DenyReason.class);
      long[] totals = new long[3];
      client.timeoutSeconds = Math.max(client.timeoutSeconds, 600);
      client.with((ManagedChannel ch) -> {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
          var chunks = client.stub(PolicyServiceGrpc.newBlockingStub(ch)).getPolicySnapshot(GetPolicySnapshotRequest.getDefaultInstance());
          while (chunks.hasNext()) {
            var c = chunks.next();
            c.writeDelimitedTo(out);
            totals[0] = c.getVersion();
            totals[1] += c.getEntriesCount();
            totals[2] += c.getZonesCount();
            c.getEntriesList().forEach(e -> byReason.merge(e.getReason(), 1, Integer::sum));
          }
          Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return null;
      });
      StringBuilder text = new StringBuilder("policy version " + totals[0] + ": " + totals[1] + " entries, " + totals[2]
          + " zones, written to " + file);
      byReason.forEach((r, n) -> text.append("\n  ").append(r == DenyReason.DENY_REASON_UNSPECIFIED ? "ALLOW" : r.name()
          .replaceFirst("^DENY_", "")).append(": ").append(n));
      output.print(Map.of("version", totals[0], "entries", totals[1], "zones", totals[2], "file", file.toString()), text.toString());
    }
  }

  @Command(name = "watch", mixinStandardHelpOptions = true, description = "Print every changeset after --from, then new ones as they commit.")
  static final class Watch implements Runnable {
    @Mixin ClientOptions client;
    @Mixin Output output;
    @Option(names = "--from", defaultValue = "0", description = "Version to start after (default: ${DEFAULT-VALUE}).") long from;
    @Option(names = "--resolver-id", defaultValue = "cli-watch", description = "Name reported to the registry.") String resolverId;

    @Override
    public void run() {
      client.timeoutSeconds = Integer.MAX_VALUE / 1000;
      client.with((ManagedChannel ch) -> {
        var updates = client.stub(PolicyServiceGrpc.newBlockingStub(ch)).withDeadline(null)
            .watchPolicy(WatchPolicyRequest.newBuilder().setFromVersion(from).setResolverId(resolverId).build());
        while (updates.hasNext()) {
          PolicyUpdate u = updates.next();
          if (u.hasResync()) {
            output.message(u, "RESYNC: " + u.getResync().getMessage() + " (current version " + u.getResync().getCurrentVersion() + ")");
            return null;
          }
          var c = u.getChangeset();
          StringBuilder text = new StringBuilder("version " + c.getVersion() + (c.getLastPart() ? "" : " (part " + c.getPart() + ")")
              + ": " + c.getCause());
          for (var change : c.getChangesList()) {
            text.append("\n  ").append(switch (change.getChangeCase()) {
              case PUT -> change.getPut().getKind() + " " + change.getPut().getName() + " -> "
                  + (change.getPut().getReason() == DenyReason.DENY_REASON_UNSPECIFIED ? "ALLOW"
                      : change.getPut().getReason().name().replaceFirst("^DENY_", "") + " " + change.getPut().getReference());
              case REMOVE -> change.getRemove().getKind() + " " + change.getRemove().getName() + " removed";
              case ADD_ZONE -> "zone " + change.getAddZone() + " added";
              case REMOVE_ZONE -> "zone " + change.getRemoveZone() + " removed";
              case CHANGE_NOT_SET -> "(empty)";
            });
          }
          output.message(u, text.toString());
        }
        return null;
      });
    }
  }
}
