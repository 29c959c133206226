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
import java.util.concurrent.TimeUnit;
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

  private record Entry(Instant time, InetAddress client, Name name, int type, Decision decision, long version,
      Name via) {}

  void log(Instant time, InetAddress client, Name name, int type, Decision decision, long version, Name via) {
    if (!queue.offer(new Entry(time, client, name, type, decision, version, via))) {
      metrics.denialLogDropped();
    }
  }

  private static void format(StringBuilder sb, Entry e) {
    Instant time = e.time();
    InetAddress client = e.client();
    Name name = e.name();
    Decision decision = e.decision();
    Name via = e.via();
    int type = e.type();
    long version = e.version();
    sb.append("{\"time\":\"").append(time).append('"');
    sb.append(",\"client\":\"").append(client == null ? "" : client.getHostAddress()).append('"');
    sb.append(",\"name\":");
    quote(sb, name.toString());
    sb.append(",\"type\":\"").append(Type.string(type)).append('"');
    sb.append(",\"reason\":\"").append(decision.reason()).append('"');
    sb.append(",\"reference\":");
    quote(sb, decision.reference());
    sb.append(",\"policy_version\":").append(version);
    if (via != null && !via.equals(name)) {
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
        Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closing) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
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
