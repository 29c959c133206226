package org.serverhold.registry.importer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.serverhold.registry.audit.AuditEntry;
import org.serverhold.registry.audit.Json;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.schema.enums.ImportRunState;

/**
 * {@code serverhold import}: loads holders, filings and domains from CSV into the registry in
 * batches. Each batch is one transaction that writes its rows, its rejects, its file's new
 * committed position, one policy changeset for the names whose decisions it changed (so resolvers
 * see an ordinary changeset) and one {@code import.batch} audit event. A run is recognised by the
 * content hashes of its files: run again after an interruption, it resumes after the last
 * committed batch and ends in exactly the state an uninterrupted run would have reached.
 *
 * <p>Rows already on record exactly as given count as unchanged, so re-importing the same files
 * ({@code restart}) changes nothing.
 */
public final class RegistryImport {
  /** The input files; any may be null (not imported). */
  public record Files(Path holders, Path filings, Path domains) {
    Path of(ImportFile f) {
      return switch (f) {
        case HOLDERS -> holders;
        case FILINGS -> filings;
        case DOMAINS -> domains;
      };
    }
  }

  /**
   * @param batchSize rows per transaction (a filing's rows are never split, so a batch may run over)
   * @param restart abandon an unfinished run of these files, or re-import finished ones, from the start
   * @param rejects where the rejects CSV is written at the end
   */
  public record Options(int batchSize, boolean restart, Path rejects) {
    public Options {
      if (batchSize < 1 || batchSize > 50_000) {
        throw new IllegalArgumentException("--batch must be 1-50000");
      }
    }
  }

  /** Test hook: called inside each batch's transaction just before it commits. Throwing rolls the batch back. */
  public interface FaultInjector {
    void beforeCommit(ImportFile file, int batchInRun);

    FaultInjector NONE = (f, b) -> {};
  }

  private static final String NO_FILE = "0".repeat(64);

  private final ImportContext ctx;
  private final ImportRules rules;
  private final ImportRuns runs = new ImportRuns();
  private final HolderBatch holderBatch;
  private final FilingBatch filingBatch;
  private final DomainBatch domainBatch;

  public RegistryImport(ImportContext ctx) {
    this.ctx = ctx;
    this.rules = new ImportRules(ctx.names(), ctx.zones());
    this.holderBatch = new HolderBatch(rules, ctx.keys());
    this.filingBatch = new FilingBatch(rules);
    this.domainBatch = new DomainBatch(rules);
  }

  public ImportSummary run(Files files, Options options, Principal actor, ImportListener listener) {
    return run(files, options, actor, listener, FaultInjector.NONE);
  }

  public ImportSummary run(Files files, Options options, Principal actor, ImportListener listener,
      FaultInjector faults) {
    long t0 = System.nanoTime();
    Map<ImportFile, String> hashes = new EnumMap<>(ImportFile.class);
    long bytesTotal = 0;
    for (ImportFile f : ImportFile.values()) {
      Path p = files.of(f);
      hashes.put(f, p == null ? NO_FILE : sha256(p));
      bytesTotal += p == null ? 0 : size(p);
    }
    if (hashes.values().stream().allMatch(NO_FILE::equals)) {
      throw new IllegalArgumentException("nothing to import: give --holders, --filings and/or --domains");
    }
    String key = sha256(String.join(",", hashes.values()).getBytes(StandardCharsets.US_ASCII));

    record Start(long runId, boolean resumed, boolean done) {}
    record Committed(ImportCounts counts, long version) {}
    Start start = ctx.db().transaction(tx -> {
      var latest = runs.latest(tx, key);
      if (latest.isPresent() && options.restart()) {
        if (latest.get().getState() == ImportRunState.RUNNING) {
          runs.setState(tx, latest.get().getId(), ImportRunState.ABANDONED, ctx.clock().millis());
        }
        latest = java.util.Optional.empty();
      }
      if (latest.isPresent()) {
        return new Start(latest.get().getId(), true, latest.get().getState() == ImportRunState.DONE);
      }
      return new Start(runs.create(tx, key, hashes, actor.name(), ctx.clock().millis()), false, false);
    });
    long runId = start.runId();
    Map<ImportFile, ImportRuns.Position> positions = ctx.db().transaction(tx -> runs.positions(tx, runId));
    Map<ImportFile, ImportCounts> counts = new EnumMap<>(ImportFile.class);
    positions.forEach((f, p) -> counts.put(f, p.counts()));
    if (start.resumed() && !start.done()) {
      listener.resumed(runId, total(counts));
    }
    long[] versions = {-1, -1};
    long sessionRows = 0;
    if (!start.done()) {
      long bytesBefore = 0;
      long sessionStartBytes = -1;
      int batchInRun = counts.values().stream().mapToInt(ImportCounts::batches).sum();
      for (ImportFile f : ImportFile.values()) {
        Path p = files.of(f);
        if (p == null) {
          continue;
        }
        ImportRuns.Position at = positions.get(f);
        try (CsvRows csv = new CsvRows(f, p)) {
          long record = 0;
          while (record < at.record() && csv.next() != null) {
            record++;
          }
          if (sessionStartBytes < 0) {
            sessionStartBytes = bytesBefore + csv.bytesRead();
          }
          CsvRows.Row pushback = null;
          while (true) {
            List<CsvRows.Row> rows = new ArrayList<>(options.batchSize() + 16);
            if (pushback != null) {
              rows.add(pushback);
              pushback = null;
            }
            CsvRows.Row row;
            while (rows.size() < options.batchSize() && (row = csv.next()) != null) {
              rows.add(row);
            }
            if (f == ImportFile.FILINGS && !rows.isEmpty()) {
              // never split a filing's rows over two batches
              String last = ImportRules.groupKey(rows.getLast());
              while ((row = csv.next()) != null) {
                if (ImportRules.groupKey(row).equals(last)) {
                  rows.add(row);
                } else {
                  pushback = row;
                  break;
                }
              }
            }
            if (rows.isEmpty()) {
              break;
            }
            long from = record;
            long to = record + rows.size();
            long endLine = pushback != null ? pushback.line() - 1 : csv.lastLine();
            int batchNo = ++batchInRun;
            Committed outcome = ctx.db().transaction(tx -> {
              Instant now = ctx.clock().instant();
              BatchOutcome o = switch (f) {
                case HOLDERS -> holderBatch.run(tx, runId, rows);
                case FILINGS -> filingBatch.run(tx, rows, now);
                case DOMAINS -> domainBatch.run(tx, runId, rows, now, "import run " + runId);
              };
              String lines = rows.getFirst().line() + "-" + endLine;
              long version = o.touchedNames().isEmpty() ? -1
                  : ctx.policy().domainsChanged(tx, o.touchedNames(),
                      "import run " + runId + " " + f.label() + " lines " + lines);
              runs.reject(tx, runId, o.rejects());
              runs.advance(tx, runId, f, from, to, endLine, o.counts());
              faults.beforeCommit(f, batchNo);
              Map<String, Object> after = new LinkedHashMap<>();
              after.put("run", runId);
              after.put("file", f.label());
              after.put("lines", lines);
              after.put("read", o.counts().read());
              after.put("imported", o.counts().imported());
              after.put("unchanged", o.counts().unchanged());
              after.put("rejected", o.counts().rejected());
              after.put("policy_version", version);
              ctx.audit().append(tx, new AuditEntry(actor, "import-" + runId + "-" + batchNo, "import.batch", "import",
                  "run " + runId, "", null, Json.of(after)));
              return new Committed(o.counts(), version);
            });
            record = to;
            sessionRows += rows.size();
            counts.put(f, counts.get(f).plus(outcome.counts()));
            if (outcome.version() >= 0) {
              versions[0] = versions[0] < 0 ? outcome.version() : versions[0];
              versions[1] = outcome.version();
            }
            listener.progress(new ImportListener.Progress(f, counts.get(f), total(counts), sessionRows,
                bytesBefore + csv.bytesRead(), bytesTotal, (System.nanoTime() - t0) / 1e9, sessionStartBytes));
          }
        }
        bytesBefore += size(p);
      }
      ctx.db().run(tx -> runs.setState(tx, runId, ImportRunState.DONE, ctx.clock().millis()));
    }
    if (options.rejects() != null) {
      runs.writeRejects(ctx.db().dsl(), runId, options.rejects());
    }
    return new ImportSummary(runId, start.resumed(), start.done(), counts, total(counts), sessionRows,
        (System.nanoTime() - t0) / 1e9, versions[0], versions[1], options.rejects());
  }

  private static ImportCounts total(Map<ImportFile, ImportCounts> counts) {
    ImportCounts t = ImportCounts.ZERO;
    for (ImportCounts c : counts.values()) {
      t = t.plus(c);
    }
    return t;
  }

  private static long size(Path p) {
    try {
      return java.nio.file.Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  static String sha256(Path p) {
    try (InputStream in = java.nio.file.Files.newInputStream(p)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
