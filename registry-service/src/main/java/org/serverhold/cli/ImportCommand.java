package org.serverhold.cli;

import static org.serverhold.registry.schema.Tables.POLICY_ZONE;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.config.KeyMaterial;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.importer.ImportContext;
import org.serverhold.registry.importer.ImportCounts;
import org.serverhold.registry.importer.ImportFile;
import org.serverhold.registry.importer.ImportListener;
import org.serverhold.registry.importer.ImportSummary;
import org.serverhold.registry.importer.RegistryImport;
import org.serverhold.registry.name.DomainNames;
import org.serverhold.registry.name.ManagedZones;
import org.serverhold.registry.policy.PolicyLedger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Bulk import straight into the database (like admin): for migrating a registry. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Import holders, ICP filings and domains from CSV files (UTF-8, RFC 4180, header row first,"
            + " columns in any order), as an operator migrating a registry would.",
        "",
        "holders.csv:  holder_ref,identity_type,identity_number,name",
        "  holder_ref: your own key for the holder (1-128 characters), used by domains.csv;"
            + " identity_type: RESIDENT_ID_CARD, PASSPORT, BUSINESS_LICENCE or OTHER (check digits verified).",
        "filings.csv:  filing_number,sponsor_name,sponsor_type,service_type,service_name,access_provider,domain",
        "  one row per covered name; the rows of one filing are consecutive and agree on every other column."
            + " sponsor_type: ENTERPRISE, PUBLIC_INSTITUTION, GOVERNMENT_AGENCY, MILITARY, SOCIAL_ORGANISATION,"
            + " INDIVIDUAL; service_type: WEBSITE, APP, MINI_PROGRAM, QUICK_APP.",
        "domains.csv:  domain,holder_ref,registrar_id,registrant_handle,verified,created,expires",
        "  verified: true/false (the registrant's identity check; false holds the domain IDENTITY_UNVERIFIED);"
            + " created, expires: 2024-01-31 (UTC) or 2024-01-31T08:00:00+08:00. The registrar must exist.",
        "",
        "Order: holders, filings, domains. Each batch is one transaction with its own policy changeset and"
            + " audit event. A bad row is never half-imported: it goes to the rejects file (file, line, field,"
            + " problem). Interrupted, the same command resumes after the last committed batch (files are"
            + " recognised by content hash); rows already on record as given are counted unchanged.",
        "Exit status: 0 all rows imported or unchanged, 3 some rows rejected, 1-2 errors.",
        ""})
public final class ImportCommand implements Callable<Integer> {
  @Mixin DatabaseOptions database;
  @Mixin Output output;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--holders", paramLabel = "FILE", description = "holders.csv") Path holders;
  @Option(names = "--filings", paramLabel = "FILE", description = "filings.csv") Path filings;
  @Option(names = "--domains", paramLabel = "FILE", description = "domains.csv") Path domains;
  @Option(names = "--batch", defaultValue = "5000", description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
  int batch;
  @Option(names = "--rejects", defaultValue = "import-rejects.csv",
      description = "Where rejected rows are listed (default: ${DEFAULT-VALUE}).")
  Path rejects;
  @Option(names = "--restart", description = "Start over instead of resuming an unfinished import of these files"
      + " (or import finished ones again: rows on record count as unchanged).")
  boolean restart;
  @Option(names = "--zones", split = ",", description = "Managed zones, used only when the registry has published none"
      + " yet (default: the same as serve).")
  List<String> zones = RegistryConfig.DEFAULT_ZONES;
  @Option(names = "--no-progress", description = "No progress output on stderr.") boolean quiet;

  @Override
  public Integer call() {
    for (Path p : new Path[] {holders, filings, domains}) {
      if (p != null && !java.nio.file.Files.isReadable(p)) {
        throw new IllegalArgumentException("cannot read " + p);
      }
    }
    Clock clock = Clock.systemUTC();
    PrintWriter err = spec.commandLine().getErr();
    try (Database db = database.openForAdmin()) {
      ManagedZones managed = publishedZones(db, clock);
      ImportContext ctx = ImportContext.of(db, KeyMaterial.load(database.dataDir, System.getenv()), managed, clock);
      Principal actor = new Principal("import-cli:" + System.getProperty("user.name", "unknown"), Role.ADMIN, null, 0);
      ProgressBar bar = new ProgressBar(err, System.console() != null, quiet);
      ImportSummary s = new RegistryImport(ctx).run(new RegistryImport.Files(holders, filings, domains),
          new RegistryImport.Options(batch, restart, rejects), actor, bar);
      bar.finish();
      print(s);
      return s.total().rejected() > 0 ? 3 : 0;
    }
  }

  /** The zones the registry published (what serve runs with); the configured ones if it never ran. */
  private ManagedZones publishedZones(Database db, Clock clock) {
    List<String> published = db.dsl().select(POLICY_ZONE.NAME).from(POLICY_ZONE).fetch(POLICY_ZONE.NAME);
    if (!published.isEmpty()) {
      return new ManagedZones(published);
    }
    ManagedZones configured = ManagedZones.parse(new DomainNames(), zones);
    db.run(new PolicyLedger(configured, clock)::syncZones);
    return configured;
  }

  private void print(ImportSummary s) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("run", s.runId());
    json.put("resumed", s.resumed());
    json.put("already_done", s.alreadyDone());
    Map<String, Object> files = new LinkedHashMap<>();
    StringBuilder text = new StringBuilder();
    if (s.alreadyDone()) {
      text.append("these files were imported completely by run ").append(s.runId())
          .append(" (use --restart to import them again)\n");
    } else {
      text.append(String.format(Locale.ROOT, "import run %d %s in %.1f s: %,d rows this session, %,.0f rows/s%n",
          s.runId(), s.resumed() ? "resumed and finished" : "finished", s.seconds(), s.rowsThisSession(),
          s.rowsPerSecond()));
    }
    text.append(String.format(Locale.ROOT, "%-12s %12s %12s %12s %12s%n", "file", "read", "imported", "unchanged",
        "rejected"));
    for (ImportFile f : ImportFile.values()) {
      ImportCounts c = s.files().get(f);
      files.put(f.label(), counts(c));
      text.append(row(f.label(), c));
    }
    text.append(row("total", s.total()));
    json.put("files", files);
    json.put("total", counts(s.total()));
    json.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
    json.put("rows_this_session", s.rowsThisSession());
    json.put("rows_per_second", Math.round(s.rowsPerSecond()));
    json.put("first_policy_version", s.firstPolicyVersion());
    json.put("last_policy_version", s.lastPolicyVersion());
    json.put("rejects_file", s.rejectsFile() == null ? null : s.rejectsFile().toString());
    if (s.firstPolicyVersion() >= 0) {
      text.append("policy changesets: versions ").append(s.firstPolicyVersion()).append("..")
          .append(s.lastPolicyVersion()).append('\n');
    }
    text.append(s.total().rejected() == 0 ? "no rows rejected" : String.format(Locale.ROOT,
        "%,d rows rejected: see %s", s.total().rejected(), s.rejectsFile()));
    output.print(json, text.toString());
  }

  private static Map<String, Object> counts(ImportCounts c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("read", c.read());
    m.put("imported", c.imported());
    m.put("unchanged", c.unchanged());
    m.put("rejected", c.rejected());
    m.put("batches", c.batches());
    return m;
  }

  private static String row(String label, ImportCounts c) {
    return String.format(Locale.ROOT, "%-12s %,12d %,12d %,12d %,12d%n", label, c.read(), c.imported(), c.unchanged(),
        c.rejected());
  }

  /** One self-rewriting line on a terminal; a plain line every few seconds otherwise (logs, CI). */
  static final class ProgressBar implements ImportListener {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean terminal;
    private final boolean quiet;
    private long lastPrint;
    private boolean drawn;

    ProgressBar(PrintWriter err, boolean terminal, boolean quiet) {
      this.err = err;
      this.terminal = terminal;
      this.quiet = quiet;
    }

    @Override
    public void resumed(long runId, ImportCounts committed) {
      if (!quiet) {
        err.printf(Locale.ROOT, "resuming import run %d after %,d committed rows%n", runId, committed.read());
        err.flush();
      }
    }

    @Override
    public void progress(Progress p) {
      if (quiet) {
        return;
      }
      long now = System.nanoTime();
      if (!terminal && now - lastPrint < 5_000_000_000L) {
        return;
      }
      if (terminal && now - lastPrint < 100_000_000L) {
        return;
      }
      lastPrint = now;
      double eta = p.etaSeconds();
      String etaText = eta < 0 ? "--:--" : String.format(Locale.ROOT, "%d:%02d", (long) eta / 60, (long) eta % 60);
      String counts = String.format(Locale.ROOT, "%s %,d rows (%,d rejected) %,.0f rows/s ETA %s",
          p.file().label(), p.total().read(), p.total().rejected(), p.rowsPerSecond(), etaText);
      int pct = (int) Math.floor(p.fraction() * 100);
      if (terminal) {
        int filled = (int) Math.round(p.fraction() * WIDTH);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3d%% ",
            pct) + counts + "\u001b[K");
        drawn = true;
      } else {
        err.println(String.format(Locale.ROOT, "import: %3d%% ", pct) + counts);
      }
      err.flush();
    }

    void finish() {
      if (drawn) {
        err.println();
        err.flush();
      }
    }
  }
}
