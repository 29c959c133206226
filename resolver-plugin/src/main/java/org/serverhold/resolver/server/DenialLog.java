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
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.serverhold.resolver.policy.Decision;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * One JSON line per refused query, to a size-rotated file ({@link RotatingFile}). Denials are
 * queued as they are and formatted and written by one thread, so a flood of denials costs query
 * handling one small object each and never blocks it on disk I/O; the writer formats whatever has
 * queued up straight to bytes (the per-decision and per-second parts encoded once) and writes it
 * with one system call. Under a flood of 100,000 denials a second the writer was a fifth of the
 * gateway's CPU when it went through java.util.logging's FileHandler with Strings. When the
 * backlog is full, lines are dropped and counted.
 */
final class DenialLog implements AutoCloseable {
  private static final int BATCH = 1024;
  private static final long DRAIN_MILLIS = 20;
  private static final Logger LOG = Logger.getLogger(DenialLog.class.getName());
  private final RotatingFile file;
  /**
   * Striped by the logging thread: the query threads of different cores then never take the same
   * queue lock (one shared queue bounced its lock's cache line between cores on every denial).
   */
  private static final int STRIPES = 8;
  @SuppressWarnings("unchecked")
  private final BlockingQueue<Entry>[] queues = new BlockingQueue[STRIPES];
  private final Thread writer;
  private final GatewayMetrics metrics;
  private volatile boolean closing;

  DenialLog(Path file, long limitBytes, int count, GatewayMetrics metrics) throws IOException {
    this.metrics = metrics;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    this.file = new RotatingFile(file.toAbsolutePath(), limitBytes, count);
    for (int i = 0; i < STRIPES; i++) {
      queues[i] = new ArrayBlockingQueue<>(65_536 / STRIPES);
    }
    writer = Thread.ofPlatform().daemon().name("denial-log").start(this::drain);
  }

  /** A denial as queued: the name as the query's wire bytes (uncompressed, terminal zero optional). */
  private record Entry(long millis, InetAddress client, byte[] name, int type, Decision decision, long version,
      Name via) {}

  /** Queues one line; the caller's work is one small object (formatting is the writer's). */
  void log(long epochMillis, InetAddress client, byte[] nameWire, int type, Decision decision, long version,
      Name via) {
    BlockingQueue<Entry> queue = queues[(int) (Thread.currentThread().threadId() & (STRIPES - 1))];
    if (!queue.offer(new Entry(epochMillis, client, nameWire, type, decision, version, via))) {
      metrics.denialLogDropped();
    }
  }

  /** The time as ISO 8601 UTC with milliseconds; the date-time part is formatted once per second. */
  private long formattedSecond = Long.MIN_VALUE;
  private byte[] secondPrefix = new byte[0];
  /** Per decision (interned by the engine, so few), its JSON fields, UTF-8 encoded once. */
  private final Map<Decision, byte[]> decisionFields = new IdentityHashMap<>();
  private final Map<Integer, byte[]> typeNames = new HashMap<>();

  private void time(Line b, long millis) {
    long second = Math.floorDiv(millis, 1000);
    if (second != formattedSecond) {
      String s = Instant.ofEpochSecond(second).toString(); // 2026-11-29T07:00:01Z
      secondPrefix = (s.substring(0, s.length() - 1) + ".").getBytes(StandardCharsets.US_ASCII);
      formattedSecond = second;
    }
    int ms = (int) Math.floorMod(millis, 1000);
    b.add(secondPrefix).add('0' + ms / 100).add('0' + ms / 10 % 10).add('0' + ms % 10).add('Z');
  }

  /** A wire name in presentation form with a trailing dot, as dnsjava prints it (\\DDD escapes), JSON-quoted. */
  static void name(Line b, byte[] wire) {
    b.add('"');
    int p = 0;
    while (p < wire.length && wire[p] != 0) {
      int len = wire[p] & 0xff;
      for (int i = p + 1; i <= p + len && i < wire.length; i++) {
        int c = wire[i] & 0xff;
        if (c <= 0x20 || c >= 0x7f) {
          b.add('\\').add('\\').add('0' + c / 100).add('0' + c / 10 % 10).add('0' + c % 10);
        } else if (c == '"' || c == '\\') {
          b.add('\\').add('\\').add('\\').add(c); // dnsjava's escape, then JSON's for both characters
        } else {
          if (c == '.' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$') {
            b.add('\\').add('\\');
          }
          b.add(c);
        }
      }
      b.add('.');
      p += len + 1;
    }
    if (p == 0) {
      b.add('.');
    }
    b.add('"');
  }

  private static void client(Line b, InetAddress client) {
    if (client instanceof java.net.Inet4Address) {
      byte[] a = client.getAddress();
      for (int i = 0; i < 4; i++) {
        if (i > 0) {
          b.add('.');
        }
        b.decimal(a[i] & 0xff);
      }
    } else if (client != null) {
      b.add(client.getHostAddress().getBytes(StandardCharsets.US_ASCII));
    }
  }

  private void format(Line b, Entry e) {
    b.add(TIME);
    time(b, e.millis());
    b.add(CLIENT);
    client(b, e.client());
    b.add(NAME);
    name(b, e.name());
    b.add(typeNames.computeIfAbsent(e.type(),
        t -> (",\"type\":\"" + Type.string(t) + "\"").getBytes(StandardCharsets.US_ASCII)));
    b.add(decisionFields.computeIfAbsent(e.decision(), d -> {
      StringBuilder sb = new StringBuilder(",\"reason\":\"").append(d.reason()).append("\",\"reference\":");
      quote(sb, d.reference());
      return sb.append(",\"policy_version\":").toString().getBytes(StandardCharsets.UTF_8);
    }));
    b.decimal(e.version());
    Name via = e.via();
    if (via != null && !java.util.Arrays.equals(via.toWireCanonical(), WireQuery.lowerCase(e.name(), 0, e.name().length))) {
      StringBuilder sb = new StringBuilder(",\"via\":");
      quote(sb, via.toString());
      b.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    b.add('}').add('\n');
  }

  private static final byte[] TIME = "{\"time\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLIENT = "\",\"client\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NAME = "\",\"name\":".getBytes(StandardCharsets.US_ASCII);

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
    Line b = new Line(256 * BATCH);
    while (true) {
      try {
        // Polled, not waited on: a writer blocked on the queue is signalled by every offer (a
        // futex wake-up per denial, a visible cost under a flood); asleep it costs the
        // query threads nothing, and a line reaches the file within DRAIN_MILLIS.
        for (BlockingQueue<Entry> queue : queues) {
          queue.drainTo(batch, BATCH - batch.size());
        }
        if (batch.isEmpty()) {
          if (closing) {
            return;
          }
          Thread.sleep(DRAIN_MILLIS);
          continue;
        }
        batch.sort(java.util.Comparator.comparingLong(Entry::millis)); // stripes interleave: keep time order
        b.clear();
        for (Entry e : batch) {
          format(b, e);
        }
        batch.clear();
        file.write(b.bytes(), b.length());
      } catch (InterruptedException e) {
        return;
      } catch (IOException e) {
        metrics.denialLogDropped();
        LOG.log(Level.WARNING, "denial log: " + e.getMessage());
      }
    }
  }

  /** A growable byte buffer for one batch of lines. */
  static final class Line {
    private byte[] buf;
    private int len;

    Line(int capacity) {
      buf = new byte[capacity];
    }

    Line add(int b) {
      if (len == buf.length) {
        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
      }
      buf[len++] = (byte) b;
      return this;
    }

    Line add(byte[] bytes) {
      if (len + bytes.length > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + bytes.length));
      }
      System.arraycopy(bytes, 0, buf, len, bytes.length);
      len += bytes.length;
      return this;
    }

    Line decimal(long v) {
      if (v < 0) {
        add('-');
        v = -v;
      }
      if (v >= 10) {
        decimal(v / 10);
      }
      return add('0' + (int) (v % 10));
    }

    void clear() {
      len = 0;
    }

    byte[] bytes() {
      return buf;
    }

    int length() {
      return len;
    }

    @Override
    public String toString() {
      return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws InterruptedException {
    closing = true;
    writer.join(5_000);
    try {
      file.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "denial log: " + e.getMessage());
    }
  }
}
