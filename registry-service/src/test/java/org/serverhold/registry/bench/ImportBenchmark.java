package org.serverhold.registry.bench;

import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.POLICY_ENTRY;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.serverhold.registry.Registry;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.importer.ImportContext;
import org.serverhold.registry.importer.ImportFiles;
import org.serverhold.registry.importer.ImportListener;
import org.serverhold.registry.importer.ImportSummary;
import org.serverhold.registry.importer.RegistryImport;
import org.serverhold.registry.schema.enums.PolicyEntryKind;
import org.serverhold.registry.schema.enums.PolicyEntryReason;
import org.serverhold.registry.testing.TestDatabases;

/**
 * Issue 6's import figure: 1,000,000 domains (200,000 holders x 5, every tenth holder a company,
 * every tenth unverified) with filings covering 90% of them, from CSV into an empty registry on
 * the embedded MariaDB with {@code serverhold import}'s defaults (5,000 rows per batch). Timed
 * from the start of the import (hashing the files included) to its summary; generating the CSVs
 * is not timed. Runs: {@code -Dimport.runs=N} (default 1; each run needs a fresh database).
 */
@Tag("benchmark")
class ImportBenchmark {
  static final int HOLDERS = 200_000;
  static final int PER_HOLDER = 5;

  @Test
  void import1m() throws Exception {
    int runs = Integer.getInteger("import.runs", 1);
    Path dir = Files.createTempDirectory("serverhold-import-bench");
    long g0 = System.nanoTime();
    ImportFiles.Set files = ImportFiles.write(dir, HOLDERS, PER_HOLDER, 90, 0);
    System.out.printf(Locale.ROOT, "generated %d holders, %d domains in %.1f s (%,d + %,d + %,d bytes)%n", HOLDERS,
        HOLDERS * PER_HOLDER, (System.nanoTime() - g0) / 1e9, Files.size(files.holders()), Files.size(files.filings()),
        Files.size(files.domains()));
    List<Double> seconds = new ArrayList<>();
    ImportSummary last = null;
    for (int run = 0; run < runs; run++) {
      Database db = TestDatabases.fresh(Files.createTempDirectory(dir, "db"));
      Registry r = new Registry(db, new HolderKeys(HolderKeys.newKey(), HolderKeys.newKey()),
          RegistryConfig.DEFAULT_ZONES, Clock.systemUTC());
      try {
        r.credentials.ensureRegistrar(Principal.system("bench"), "reg-a", "Registrar A");
        long t0 = System.nanoTime();
        last = new RegistryImport(ImportContext.of(r)).run(files.files(),
            new RegistryImport.Options(5000, false, dir.resolve("rejects.csv")),
            new Principal("import-bench", Role.ADMIN, null, 0), new ImportListener() {
              long shown;

              @Override
              public void progress(Progress p) {
                if (System.nanoTime() - shown > 15_000_000_000L) {
                  shown = System.nanoTime();
                  System.out.printf(Locale.ROOT, "  %s %,d rows, %.0f%%, %,.0f rows/s%n", p.file().label(),
                      p.total().read(), p.fraction() * 100, p.rowsPerSecond());
                }
              }
            });
        double s = (System.nanoTime() - t0) / 1e9;
        long domains = db.dsl().fetchCount(DOMAIN);
        long allowed = db.dsl().fetchCount(POLICY_ENTRY, POLICY_ENTRY.KIND.eq(PolicyEntryKind.DOMAIN),
            POLICY_ENTRY.REASON.eq(PolicyEntryReason.ALLOW));
        if (domains != HOLDERS * PER_HOLDER || last.total().rejected() != 0 || allowed == 0) {
          throw new AssertionError("imported " + domains + " domains, " + last.total().rejected() + " rejected, "
              + allowed + " ALLOW");
        }
        seconds.add(s);
        System.out.printf(Locale.ROOT, "import of 1,000,000 domains, run %d: %.1f s (%,d rows, %,.0f rows/s; %,d ALLOW;"
            + " policy versions %d..%d)%n", run + 1, s, last.total().read(), last.total().read() / s, allowed,
            last.firstPolicyVersion(), last.lastPolicyVersion());
      } finally {
        r.close();
        TestDatabases.drop(db);
        db.close();
      }
    }
    var t = last.total();
    new BenchResults()
        .add("import_1m_seconds", BenchResults.median(seconds), "s", null,
            "serverhold import of " + HOLDERS + " holders, " + HOLDERS * PER_HOLDER + " domains, "
                + last.files().get(org.serverhold.registry.importer.ImportFile.FILINGS).read()
                + " filing rows (90% of domains filed) = " + t.read() + " CSV rows in " + t.batches()
                + " batches of 5000, each its own transaction + policy changeset + audit event; embedded MariaDB 11.4,"
                + " 2 cores, in-process; median of " + runs + " run(s) " + seconds)
        .write("import_1m");
  }
}
