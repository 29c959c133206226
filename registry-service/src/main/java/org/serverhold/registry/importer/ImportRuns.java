package org.serverhold.registry.importer;

import static org.serverhold.registry.schema.Tables.IMPORT_PROGRESS;
import static org.serverhold.registry.schema.Tables.IMPORT_REJECT;
import static org.serverhold.registry.schema.Tables.IMPORT_RUN;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jooq.DSLContext;
import org.serverhold.registry.schema.enums.ImportProgressFile;
import org.serverhold.registry.schema.enums.ImportRejectFile;
import org.serverhold.registry.schema.enums.ImportRunState;
import org.serverhold.registry.schema.tables.records.ImportRunRecord;

/**
 * Import runs and their progress: a run is the import of one set of files (by content hash);
 * each batch moves its file's committed position forward in the batch's own transaction.
 */
final class ImportRuns {
  /** A file's committed position and counts. */
  record Position(long record, long line, ImportCounts counts) {}

  /** The latest run of these files that is still running or done, locked. */
  Optional<ImportRunRecord> latest(DSLContext tx, String filesSha256) {
    return tx.selectFrom(IMPORT_RUN)
        .where(IMPORT_RUN.FILES_SHA256.eq(filesSha256), IMPORT_RUN.STATE.in(ImportRunState.RUNNING, ImportRunState.DONE))
        .orderBy(IMPORT_RUN.ID.desc()).limit(1).forUpdate().fetchOptional();
  }

  long create(DSLContext tx, String filesSha256, Map<ImportFile, String> hashes, String actor, long nowMs) {
    tx.insertInto(IMPORT_RUN)
        .set(IMPORT_RUN.FILES_SHA256, filesSha256)
        .set(IMPORT_RUN.HOLDERS_SHA256, hashes.get(ImportFile.HOLDERS))
        .set(IMPORT_RUN.FILINGS_SHA256, hashes.get(ImportFile.FILINGS))
        .set(IMPORT_RUN.DOMAINS_SHA256, hashes.get(ImportFile.DOMAINS))
        .set(IMPORT_RUN.STATE, ImportRunState.RUNNING)
        .set(IMPORT_RUN.ACTOR, actor)
        .set(IMPORT_RUN.STARTED_MS, nowMs)
        .execute();
    long id = tx.lastID().longValue();
    var insert = tx.insertInto(IMPORT_PROGRESS, IMPORT_PROGRESS.RUN_ID, IMPORT_PROGRESS.FILE,
        IMPORT_PROGRESS.COMMITTED_RECORD, IMPORT_PROGRESS.COMMITTED_LINE, IMPORT_PROGRESS.ROWS_READ,
        IMPORT_PROGRESS.IMPORTED, IMPORT_PROGRESS.UNCHANGED, IMPORT_PROGRESS.REJECTED, IMPORT_PROGRESS.BATCHES);
    for (ImportFile f : ImportFile.values()) {
      insert = insert.values(id, progressFile(f), 0L, 1L, 0L, 0L, 0L, 0L, 0);
    }
    insert.execute();
    return id;
  }

  void setState(DSLContext tx, long runId, ImportRunState state, Long finishedMs) {
    tx.update(IMPORT_RUN).set(IMPORT_RUN.STATE, state).set(IMPORT_RUN.FINISHED_MS, finishedMs)
        .where(IMPORT_RUN.ID.eq(runId)).execute();
  }

  Map<ImportFile, Position> positions(DSLContext tx, long runId) {
    Map<ImportFile, Position> out = new EnumMap<>(ImportFile.class);
    for (var r : tx.selectFrom(IMPORT_PROGRESS).where(IMPORT_PROGRESS.RUN_ID.eq(runId)).fetch()) {
      out.put(ImportFile.valueOf(r.getFile().name()), new Position(r.getCommittedRecord(), r.getCommittedLine(),
          new ImportCounts(r.getRowsRead(), r.getImported(), r.getUnchanged(), r.getRejected(), r.getBatches())));
    }
    return out;
  }

  /**
   * Moves a file's position from {@code from} to {@code to}, inside the batch's transaction. The row
   * lock makes a second process importing the same run fail rather than import rows twice.
   */
  void advance(DSLContext tx, long runId, ImportFile file, long from, long to, long line, ImportCounts batch) {
    Long at = tx.select(IMPORT_PROGRESS.COMMITTED_RECORD).from(IMPORT_PROGRESS)
        .where(IMPORT_PROGRESS.RUN_ID.eq(runId), IMPORT_PROGRESS.FILE.eq(progressFile(file))).forUpdate()
        .fetchOne(IMPORT_PROGRESS.COMMITTED_RECORD);
    if (at == null || at != from) {
      throw new IllegalStateException("import run " + runId + " moved on under this process (" + file.label()
          + " committed to record " + at + ", expected " + from + "): is another import of the same files running?");
    }
    tx.update(IMPORT_PROGRESS)
        .set(IMPORT_PROGRESS.COMMITTED_RECORD, to)
        .set(IMPORT_PROGRESS.COMMITTED_LINE, line)
        .set(IMPORT_PROGRESS.ROWS_READ, IMPORT_PROGRESS.ROWS_READ.plus(batch.read()))
        .set(IMPORT_PROGRESS.IMPORTED, IMPORT_PROGRESS.IMPORTED.plus(batch.imported()))
        .set(IMPORT_PROGRESS.UNCHANGED, IMPORT_PROGRESS.UNCHANGED.plus(batch.unchanged()))
        .set(IMPORT_PROGRESS.REJECTED, IMPORT_PROGRESS.REJECTED.plus(batch.rejected()))
        .set(IMPORT_PROGRESS.BATCHES, IMPORT_PROGRESS.BATCHES.plus(batch.batches()))
        .where(IMPORT_PROGRESS.RUN_ID.eq(runId), IMPORT_PROGRESS.FILE.eq(progressFile(file)))
        .execute();
  }

  void reject(DSLContext tx, long runId, List<Reject> rejects) {
    for (int from = 0; from < rejects.size(); from += 2000) {
      var insert = tx.insertInto(IMPORT_REJECT, IMPORT_REJECT.RUN_ID, IMPORT_REJECT.FILE, IMPORT_REJECT.LINE,
          IMPORT_REJECT.FIELD, IMPORT_REJECT.PROBLEM);
      for (Reject r : rejects.subList(from, Math.min(rejects.size(), from + 2000))) {
        insert = insert.values(runId, ImportRejectFile.valueOf(r.file().name()), r.line(), r.field(), r.problem());
      }
      insert.execute();
    }
  }

  /**
   * Writes every reject of the run as CSV (file, line, field, problem), in file order then line
   * order, replacing {@code target} atomically. Returns how many lines were written.
   */
  long writeRejects(DSLContext dsl, long runId, Path target) {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    long n = 0;
    try {
      if (target.toAbsolutePath().getParent() != null) {
        Files.createDirectories(target.toAbsolutePath().getParent());
      }
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
          CSVPrinter out = new CSVPrinter(w, CSVFormat.RFC4180.builder()
              .setHeader("file", "line", "field", "problem").get())) {
        var cursor = dsl.select(IMPORT_REJECT.FILE, IMPORT_REJECT.LINE, IMPORT_REJECT.FIELD, IMPORT_REJECT.PROBLEM)
            .from(IMPORT_REJECT).where(IMPORT_REJECT.RUN_ID.eq(runId))
            .orderBy(IMPORT_REJECT.FILE, IMPORT_REJECT.LINE, IMPORT_REJECT.ID).fetchSize(1000).fetchLazy();
        try (cursor) {
          for (var r : cursor) {
            out.printRecord(ImportFile.valueOf(r.value1().name()).label(), r.value2(), r.value3(), r.value4());
            n++;
          }
        }
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rejects file " + target, e);
    }
  }

  static ImportProgressFile progressFile(ImportFile f) {
    return ImportProgressFile.valueOf(f.name());
  }
}
