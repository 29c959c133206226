package org.serverhold.registry.importer;

import java.util.Collection;
import java.util.List;

/** What one batch did: its counts, its rejects, and the registrable names whose decisions it may have changed. */
record BatchOutcome(ImportCounts counts, List<Reject> rejects, Collection<String> touchedNames) {
  static ImportCounts count(int read, int imported, int unchanged, List<Reject> rejects) {
    long rejectedRows = rejects.stream().mapToLong(Reject::line).distinct().count();
    return new ImportCounts(read, imported, unchanged, rejectedRows, 1);
  }
}
