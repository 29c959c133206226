package org.serverhold.registry.importer;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a run ended: counts per file (over the whole run, resumed sessions included), this
 * session's time, the policy versions it published, and where the rejects were written.
 *
 * @param alreadyDone these files had been imported completely by this run before: nothing was read
 */
public record ImportSummary(long runId, boolean resumed, boolean alreadyDone, Map<ImportFile, ImportCounts> files,
    ImportCounts total, long rowsThisSession, double seconds, long firstPolicyVersion, long lastPolicyVersion,
    Path rejectsFile) {
  public double rowsPerSecond() {
    return seconds <= 0 ? 0 : rowsThisSession / seconds;
  }
}
