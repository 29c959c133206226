package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.serverhold.resolver.policy.Decision;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * One JSON line per refused query, to a size-rotated file (java.util.logging's FileHandler does
 * the rotation). Denials are queued as they are and formatted and written by one thread, so a
 * flood of denials costs query handling one small object each and never blocks it on disk I/O;
 * the writer takes whatever has queued up and writes it as one record (FileHandler flushes, i.e.
 * makes a system call, per record: one per line was most of its cost under a flood). When the
 * backlog is full, lines are dropped and counted.
 */
final class DenialLog implements AutoCloseable {
  private static final int BATCH = 1024;
  private static final long DRAIN_MILLIS = 20;
  private final FileHandler handler;
  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(65_536);
  private final Thread writer;
  private final GatewayMetrics metrics;
  private volatile boolean closing;

  DenialLog(Path file, long limitBytes, int count, GatewayMetrics metrics) throws IOException {
    this.metrics = metrics;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    // FileHandler patterns treat '%' specially; rotation appends .0, .1, ... via %g.
    String pattern = file.toAbsolutePath().toString().replace("%", "%%") + (count > 1 ? ".%g" : "");
    handler = new FileHandler(pattern, limitBytes, count, true);
    handler.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        return r.getMessage() + "\n";
      }
    });
    writer = Thread.ofPlatform().daemon().name("denial-log").start(this::drain);
  }

  /** A denial as queued: the name as the query's wire bytes (uncompressed, terminal zero optional). */
  private record Entry(long millis, InetAddress client, byte[] name, int type, Decision decision, long version,
      Name via) {}

  /** Queues one line; the caller's work is one small object (formatting is the writer's). */
  void log(long epochMillis, InetAddress client, byte[] nameWire, int type, Decision decision, long version,
      Name via) {
    if (!queue.offer(new Entry(epochMillis, client, nameWire, type, decision, version, via))) {
      metrics.denialLogDropped();
    }
  }

  /** The time as ISO 8601 UTC with milliseconds; the date-time part is formatted once per second. */
  private long formattedSecond = Long.MIN_VALUE;
  private String secondPrefix = "";

  private void time(StringBuilder sb, long millis) {
    long second = Math.floorDiv(millis, 1000);
    if (second != formattedSecond) {
      String s = Instant.ofEpochSecond(second).toString(); // 2026-11-29T07:00:01Z
      secondPrefix = s.substring(0, s.length() - 1) + ".";
      formattedSecond = second;
    }
    int ms = (int) Math.floorMod(millis, 1000);
    sb.append(secondPrefix).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
        .append((char) ('0' + ms % 10)).append('Z');
  }

  /** A wire name in presentation form with a trailing dot, as dnsjava prints it (\DDD escapes). */
  static void name(StringBuilder sb, byte[] wire) {
    int p = 0;
    while (p < wire.length && wire[p] != 0) {
      int len = wire[p] & 0xff;
      for (int i = p + 1; i <= p + len && i < wire.length; i++) {
        int c = wire[i] & 0xff;
        if (c <= 0x20 || c >= 0x7f) {
          sb.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
              .append((char) ('0' + c % 10));
        } else {
          if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') {
            sb.append('\\');
          }
          sb.append((char) c);
        }
      }
      sb.append('.');
      p += len + 1;
    }
    if (p == 0) {
      sb.append('.');
    }
  }

  private static byte[] lowerCase(byte[] wire) {
    byte[] out = wire.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] >= 'A' && out[i] <= 'Z') {
        out[i] += 32; // length bytes are <= 63: never letters
      }
    }
    return out;
  }

  private void format(StringBuilder sb, Entry e) {
    InetAddress client = e.client();
    Decision decision = e.decision();
    Name via = e.via();
    int type = e.type();
    long version = e.version();
    sb.append("{\"time\":\"");
    time(sb, e.millis());
    sb.append('"');
    sb.append(",\"client\":\"").append(client == null ? "" : client.getHostAddress()).append('"');
    sb.append(",\"name\":");
    StringBuilder n = new StringBuilder(64);
    name(n, e.name());
    quote(sb, n.toString());
    sb.append(",\"type\":\"").append(Type.string(type)).append('"');
    sb.append(",\"reason\":\"").append(decision.reason()).append('"');
    sb.append(",\"reference\":");
    quote(sb, decision.reference());
    sb.append(",\"policy_version\":").append(version);
    if (via != null && !java.util.Arrays.equals(via.toWireCanonical(), lowerCase(e.name()))) {
      sb.append(",\"via\":");
      quote(sb, via.toString());
    }
    sb.append('}');
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private void drain() {
    List<Entry> batch = new ArrayList<>(BATCH);
    StringBuilder sb = new StringBuilder(256 * BATCH);
    while (true) {
      try {
        // Polled, not waited on: a writer blocked on the queue is signalled by every offer (a
        // futex wake-up per denial, a visible cost under a flood); asleep it costs the
        // query threads nothing, and a line reaches the file within DRAIN_MILLIS.
        if (queue.drainTo(batch, BATCH) == 0) {
          if (closing) {
            return;
          }
          Thread.sleep(DRAIN_MILLIS);
          continue;
        }
        sb.setLength(0);
        for (Entry e : batch) {
          if (sb.length() > 0) {
            sb.append('\n'); // the formatter ends the record (the last line) with one
          }
          format(sb, e);
        }
        batch.clear();
        handler.publish(new LogRecord(Level.INFO, sb.toString()));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    writer.join(5_000);
    handler.close();
  }
}
