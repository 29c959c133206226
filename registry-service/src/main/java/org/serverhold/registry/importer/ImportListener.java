package org.serverhold.registry.importer;

/** Told about an import as it goes (the CLI draws its progress bar from this). */
public interface ImportListener {
  /** After each committed batch (and once when a file's already committed rows have been skipped). */
  record Progress(ImportFile file, ImportCounts fileCounts, ImportCounts total, long rowsThisSession,
      long bytesDone, long bytesTotal, double seconds, long sessionStartBytes) {
    public double rowsPerSecond() {
      return seconds <= 0 ? 0 : rowsThisSession / seconds;
    }

    public double fraction() {
      return bytesTotal <= 0 ? 1 : Math.min(1, (double) bytesDone / bytesTotal);
    }

    /** Seconds left at this session's rate, or -1 when not yet known. */
    public double etaSeconds() {
      long done = bytesDone - sessionStartBytes;
      if (done <= 0 || seconds <= 0) {
        return -1;
      }
      return (bytesTotal - bytesDone) / (done / seconds);
    }
  }

  default void resumed(long runId, ImportCounts committed) {}

  default void progress(Progress p) {}

  ImportListener NONE = new ImportListener() {};
}
