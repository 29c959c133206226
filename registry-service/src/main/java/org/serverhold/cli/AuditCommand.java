package org.serverhold.cli;

import java.util.Map;
import org.serverhold.registry.audit.AuditVerifier;
import org.serverhold.registry.database.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code serverhold audit verify}: walks the hash chain and names the first broken link. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The audit log.",
    subcommands = AuditCommand.Verify.class)
public final class AuditCommand {
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check the audit chain; exit 3 and name the first broken event if it was tampered with.")
  static final class Verify implements java.util.concurrent.Callable<Integer> {
    @Mixin DatabaseOptions database;
    @Mixin Output output;

    @Override
    public Integer call() {
      AuditVerifier.Result result;
      try (Database db = database.openForAdmin()) {
        result = new AuditVerifier().verify(db.dsl());
      }
      if (result.intact()) {
        output.print(Map.of("intact", true, "events", result.checked()), "audit chain intact: " + result.checked() + " events");
        return 0;
      }
      output.print(Map.of("intact", false, "events_checked", result.checked(), "first_broken_event",
          result.firstBrokenId().orElseThrow(), "problem", result.problem()),
          "audit chain BROKEN at event " + result.firstBrokenId().orElseThrow() + ": " + result.problem()
              + " (" + result.checked() + " events before it are intact)");
      return 3;
    }
  }
}
