package org.serverhold.registry.importer;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.io.input.BOMInputStream;

/**
 * Reads one input file as RFC 4180 CSV (UTF-8, optional byte-order mark, quoted fields may hold
 * commas, quotes and line breaks), checks its header against {@link ImportFile#columns()}, and
 * hands out rows with their record number and the line they start on.
 */
final class CsvRows implements AutoCloseable {
  /** One data row: its number among the data records (1-based), the line it starts on, its values by column. */
  record Row(long record, long line, String[] values, String shapeProblem) {
    String get(int column) {
      return values[column];
    }
  }

  private final ImportFile file;
  private final CountingStream counting;
  private final CSVParser parser;
  private final Iterator<CSVRecord> records;
  private final int[] columnIndex;
  private long lastLine;
  private long record;

  CsvRows(ImportFile file, Path path) {
    this.file = file;
    try {
      InputStream raw = Files.newInputStream(path);
      this.counting = new CountingStream(raw);
      InputStream in = BOMInputStream.builder().setInputStream(counting).get();
      var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      this.parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true)
          .setAllowMissingColumnNames(false).get().parse(new BufferedReader(new InputStreamReader(in, decoder), 1 << 16));
      this.records = parser.iterator();
      this.columnIndex = header(file, parser.getHeaderNames());
      this.lastLine = parser.getCurrentLineNumber();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(file.label() + " (" + path + "): " + e.getMessage(), e);
    }
  }

  private static int[] header(ImportFile file, List<String> names) {
    Map<String, Integer> at = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i).strip().toLowerCase(Locale.ROOT);
      if (!file.columns().contains(n)) {
        throw new IllegalArgumentException("unknown column '" + names.get(i) + "' (expected " + file.columns() + ")");
      }
      if (at.put(n, i) != null) {
        throw new IllegalArgumentException("column '" + n + "' appears twice");
      }
    }
    int[] index = new int[file.columns().size()];
    for (int c = 0; c < index.length; c++) {
      Integer i = at.get(file.columns().get(c));
      if (i == null) {
        throw new IllegalArgumentException("the header lacks column '" + file.columns().get(c) + "' (expected "
            + file.columns() + ")");
      }
      index[c] = i;
    }
    return index;
  }

  /** The next row, or null at the end of the file. */
  Row next() {
    CSVRecord r;
    try {
      if (!records.hasNext()) {
        return null;
      }
      r = records.next();
    } catch (UncheckedIOException | IllegalStateException e) {
      throw new IllegalArgumentException(file.label() + ": malformed CSV after line " + lastLine + ": "
          + rootMessage(e), e);
    }
    long line = lastLine + 1;
    lastLine = parser.getCurrentLineNumber();
    record++;
    String[] values = new String[columnIndex.length];
    String problem = null;
    if (r.size() != parser.getHeaderNames().size()) {
      problem = "has " + r.size() + " fields, the header has " + parser.getHeaderNames().size();
    }
    for (int c = 0; c < values.length; c++) {
      values[c] = columnIndex[c] < r.size() ? r.get(columnIndex[c]) : "";
    }
    return new Row(record, line, values, problem);
  }

  /** The line the last row handed out ends on. */
  long lastLine() {
    return lastLine;
  }

  /** Bytes of the file consumed so far (read ahead by a buffer: an estimate for progress). */
  long bytesRead() {
    return counting.count;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final class CountingStream extends FilterInputStream {
    volatile long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
