package org.serverhold.registry.importer;

/**
 * Rows of one file: read = imported + unchanged + rejected. Unchanged rows were already on record
 * exactly as given (a re-run, a holder already known, a duplicate row): nothing was written.
 */
public record ImportCounts(long read, long imported, long unchanged, long rejected, int batches) {
  public static final ImportCounts ZERO = new ImportCounts(0, 0, 0, 0, 0);

  public ImportCounts plus(ImportCounts o) {
    return new ImportCounts(read + o.read, imported + o.imported, unchanged + o.unchanged, rejected + o.rejected,
        batches + o.batches);
  }
}
