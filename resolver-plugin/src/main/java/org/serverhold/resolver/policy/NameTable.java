package org.serverhold.resolver.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable map from names to decision ids, split into independent {@link Segment}s by the
 * top bits of the hash. Updating copies only the segments a change touches, so applying a
 * changeset to ten million names copies kilobytes, not the whole table, and readers of the old
 * table are never disturbed.
 */
final class NameTable {
  static final NameTable EMPTY = new NameTable(new Segment[] {Segment.EMPTY}, 0, 0, Segment.DENSE, false);
  /** Aim for segments of a few thousand names: cheap to copy, few enough to keep the index hot. */
  private static final int TARGET_PER_SEGMENT = 2048;

  private final Segment[] segments;
  private final int bits;
  private final long size;
  private final double load;
  /** Exact mode (see {@link Segment}): every match confirmed by name. Else a key match decides. */
  private final boolean exact;

  /**
   * The segments' slot arrays and capacities, flattened out of the Segment objects for the read
   * path: both are small and hot, so the slot address is known without touching the segment or
   * the slot array's header, and the slot line is the one cache miss of a lookup.
   */
  private final long[][] slotArrays;
  private final int[] capacities;
  private final int maxLabels;

  private NameTable(Segment[] segments, int bits, long size, double load, boolean exact) {
    this.segments = segments;
    this.slotArrays = new long[segments.length][];
    this.capacities = new int[segments.length];
    for (int i = 0; i < segments.length; i++) {
      slotArrays[i] = segments[i].slots;
      capacities[i] = segments[i].slots.length;
    }
    this.bits = bits;
    this.size = size;
    this.load = load;
    this.exact = exact;
    int depth = 0;
    if (exact) {
      // Small (zones and flags): worth a scan, and it lets a query walk stop early.
      int[] max = new int[1];
      forEach((a, off, len, id) -> max[0] = Math.max(max[0], labels(a, off, len)));
      depth = max[0];
    }
    this.maxLabels = depth;
  }

  private static int labels(byte[] a, int off, int len) {
    int n = 0;
    for (int p = off; p < off + len; p += (a[p] & 0xff) + 1) {
      n++;
    }
    return n;
  }

  /** Exact tables: the most labels any entry has (0 when empty), so deeper labels need no probe. */
  int maxLabels() {
    return maxLabels;
  }

  long size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  private int segmentOf(long hash) {
    return bits == 0 ? 0 : (int) (hash >>> (64 - bits));
  }

  /** Value id of a stored-form name, or -1. */
  int get(byte[] wire) {
    return lookup(WireNames.hash(wire, 0, wire.length), wire, 0, wire.length);
  }

  /** Decision id of the name at {@code q[off, off+len)} (hash from the same walk), or -1. */
  int lookup(long hash, byte[] q, int off, int len) {
    int seg = segmentOf(hash);
    if (exact) {
      return segments[seg].lookup(hash, q, off, len);
    }
    return lookup(hash, q, off, len, homeSlot(hash));
  }

  /**
   * Hash mode: the content of {@code hash}'s home slot. Reading it as soon as the hash is known,
   * and finishing with {@link #lookup(long, byte[], int, int, long)} later, lets the cache miss
   * overlap the caller's remaining work (a software prefetch: nothing branches on it meanwhile).
   */
  long homeSlot(long hash) {
    int seg = segmentOf(hash);
    return slotArrays[seg][Segment.slotIndex(hash, capacities[seg])];
  }

  /** Hash mode: {@link #lookup(long, byte[], int, int)} given the home slot's content. */
  int lookup(long hash, byte[] q, int off, int len, long home) {
    int seg = segmentOf(hash);
    // Inlined: reads the slot run and nothing else unless the key is escaped.
    long[] s = slotArrays[seg];
    int cap = capacities[seg];
    int i = Segment.slotIndex(hash, cap);
    long key = Segment.key(hash);
    long slot = home;
    while (true) {
      if (slot == 0) {
        return -1;
      }
      if ((slot >>> 16) == key) {
        int id = (int) slot & 0xffff;
        return id != Segment.ESCAPE ? id : segments[seg].escaped(key, q, off, len);
      }
      if (++i == cap) {
        i = 0;
      }
      slot = s[i];
    }
  }

  /** Visits every entry. */
  void forEach(Segment.EntryConsumer c) {
    for (Segment s : segments) {
      s.forEach(c);
    }
  }

  /** A key change for {@link #with}: {@code id < 0} removes. */
  record Mod(byte[] name, long hash, int id) {}

  /** A copy of this table with {@code mods} applied (at most one mod per name). */
  NameTable with(List<Mod> mods) {
    if (mods.isEmpty()) {
      return this;
    }
    Map<Integer, List<Mod>> bySegment = new HashMap<>();
    for (Mod m : mods) {
      bySegment.computeIfAbsent(segmentOf(m.hash()), k -> new ArrayList<>()).add(m);
    }
    Segment[] copy = segments.clone();
    long newSize = size;
    int[] removed = new int[1];
    for (Map.Entry<Integer, List<Mod>> e : bySegment.entrySet()) {
      Segment old = copy[e.getKey()];
      copy[e.getKey()] = old.rebuild(e.getValue(), load, exact, removed);
      newSize -= removed[0];
      for (Mod m : e.getValue()) {
        if (m.id() >= 0) {
          newSize++;
        }
      }
    }
    // A table that started tiny and grew by changesets gets re-split when segments get big.
    NameTable t = new NameTable(copy, bits, newSize, load, exact);
    return newSize > (long) TARGET_PER_SEGMENT * 8 * copy.length ? t.resplit() : t;
  }

  private NameTable resplit() {
    Builder b = new Builder(size, load, exact);
    forEach((a, off, len, id) -> b.add(a, off, len, id));
    return b.build();
  }

  /**
   * Accumulates entries in flat arrays, then cuts them into segments sized exactly. Used for
   * snapshots, where the whole table is built at once and no reader sees it before it is done.
   */
  static final class Builder {
    private long[] hashes;
    private long[] positions;
    private final List<byte[]> blocks = new ArrayList<>();
    private byte[] block;
    private int blockUsed;
    private int count;
    private static final int BLOCK = 1 << 20;
    private final double load;
    private final boolean exact;

    /** A builder of a big hash-mode table (the registrable names). */
    Builder(long expected) {
      this(expected, Segment.DENSE, false);
    }

    Builder(long expected, double load, boolean exact) {
      this.load = load;
      this.exact = exact;
      int initial = (int) Math.min(Math.max(expected, 16), 1 << 26);
      this.hashes = new long[initial];
      this.positions = new long[initial];
      this.block = new byte[BLOCK];
      blocks.add(block);
    }

    /** Adds the stored-form name at {@code src[off, off+len)}. */
    void add(byte[] src, int off, int len, int id) {
      int size = Segment.entrySize(len, id);
      if (blockUsed + size > BLOCK) {
        block = new byte[BLOCK];
        blocks.add(block);
        blockUsed = 0;
      }
      if (count == hashes.length) {
        hashes = java.util.Arrays.copyOf(hashes, count * 2);
        positions = java.util.Arrays.copyOf(positions, count * 2);
      }
      int p = blockUsed;
      block[p] = (byte) len;
      System.arraycopy(src, off, block, p + 1, len);
      int w = p + 1 + len;
      int v = id;
      while ((v & ~0x7f) != 0) {
        block[w++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      block[w++] = (byte) v;
      blockUsed = w;
      hashes[count] = WireNames.hash(src, off, len);
      positions[count] = ((long) (blocks.size() - 1) << 32) | p;
      count++;
    }

    int count() {
      return count;
    }

    NameTable build() {
      long segs = Math.max(1, count / TARGET_PER_SEGMENT);
      int bits = Math.min(20, 64 - Long.numberOfLeadingZeros(segs - 1));
      int nseg = 1 << bits;
      int[] entries = new int[nseg];
      int[] bytes = new int[nseg];
      for (int i = 0; i < count; i++) {
        int s = bits == 0 ? 0 : (int) (hashes[i] >>> (64 - bits));
        byte[] b = blocks.get((int) (positions[i] >>> 32));
        int p = (int) positions[i];
        entries[s]++;
        bytes[s] += entrySizeAt(b, p);
      }
      Segment.Builder[] builders = new Segment.Builder[nseg];
      for (int s = 0; s < nseg; s++) {
        if (entries[s] > 0) {
          builders[s] = new Segment.Builder(entries[s], bytes[s], load, exact);
        }
      }
      for (int i = 0; i < count; i++) {
        int s = bits == 0 ? 0 : (int) (hashes[i] >>> (64 - bits));
        byte[] b = blocks.get((int) (positions[i] >>> 32));
        int p = (int) positions[i];
        int len = b[p] & 0xff;
        builders[s].add(hashes[i], b, p + 1, len, Segment.readVarint(b, p + 1 + len));
      }
      Segment[] segments = new Segment[nseg];
      long size = 0;
      for (int s = 0; s < nseg; s++) {
        segments[s] = builders[s] == null ? Segment.EMPTY : builders[s].build();
        size += segments[s].count;
        builders[s] = null;
      }
      return new NameTable(segments, bits, size, load, exact);
    }

    private static int entrySizeAt(byte[] b, int p) {
      int len = b[p] & 0xff;
      int q = p + 1 + len;
      while (b[q++] < 0) {
        // varint continuation
      }
      return q - p;
    }
  }
}
