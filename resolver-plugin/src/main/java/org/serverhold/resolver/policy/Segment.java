package org.serverhold.resolver.policy;

import java.util.Arrays;
import java.util.Set;

/**
 * One immutable open-addressing hash table of names. Entries live in a byte arena as
 * {@code [len][wire name][varint decision id]}; a slot is a long holding a 32-bit hash tag and the
 * entry's arena offset + 1 (0 = empty). About 11 bytes of slots plus the name's bytes per entry,
 * and a lookup touches one slot run and one arena entry.
 */
final class Segment {
  static final Segment EMPTY = new Segment(new long[1], new byte[0], 0, 0, false);
  /** Load factor of the big domain table: memory against probe length. */
  static final double DENSE = 0.7;
  /** Load factor of small tables probed for every label (zones, flags): short misses. */
  static final double SPARSE = 0.25;

  final long[] slots;
  final byte[] arena;
  final int count;
  final int used;
  /** True when a duplicate key left unreachable bytes in the arena (rare: duplicate snapshot rows). */
  private final boolean hasDead;

  private Segment(long[] slots, byte[] arena, int count, int used, boolean hasDead) {
    this.slots = slots;
    this.arena = arena;
    this.count = count;
    this.used = used;
    this.hasDead = hasDead;
  }

  static int slotIndex(long hash, int capacity) {
    return (int) (((hash & 0xffffffffL) * capacity) >>> 32);
  }

  static int tag(long hash) {
    return (int) (hash >>> 32);
  }

  /** Decision id for the name at {@code q[off, off+len)} with table hash {@code hash}, or -1. */
  int lookup(long hash, byte[] q, int off, int len) {
    return lookup(slots, arena, hash, q, off, len);
  }

  /**
   * The lookup on bare arrays, so a table can index them without touching the Segment object
   * (one cache miss less per decision on a table of millions).
   */
  static int lookup(long[] s, byte[] a, long hash, byte[] q, int off, int len) {
    int cap = s.length;
    int i = slotIndex(hash, cap);
    int tag = tag(hash);
    while (true) {
      long slot = s[i];
      if (slot == 0) {
        return -1;
      }
      if ((int) (slot >>> 32) == tag) {
        int e = (int) slot - 1;
        if ((a[e] & 0xff) == len && WireNames.equalsStored(q, off, len, a, e + 1)) {
          return readVarint(a, e + 1 + len);
        }
      }
      if (++i == cap) {
        i = 0;
      }
    }
  }

  /** Arena offset of the entry for a stored-form name, or -1. */
  int find(long hash, byte[] name) {
    long[] s = slots;
    int cap = s.length;
    int i = slotIndex(hash, cap);
    int tag = tag(hash);
    while (true) {
      long slot = s[i];
      if (slot == 0) {
        return -1;
      }
      int e = (int) slot - 1;
      if ((int) (slot >>> 32) == tag && (arena[e] & 0xff) == name.length
          && Arrays.equals(arena, e + 1, e + 1 + name.length, name, 0, name.length)) {
        return e;
      }
      if (++i == cap) {
        i = 0;
      }
    }
  }

  static int readVarint(byte[] a, int p) {
    int v = 0;
    int shift = 0;
    while (true) {
      int b = a[p++];
      v |= (b & 0x7f) << shift;
      if (b >= 0) {
        return v;
      }
      shift += 7;
    }
  }

  static int varintSize(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  static int entrySize(int nameLen, int id) {
    return 1 + nameLen + varintSize(id);
  }

  /** Size of the entry at arena offset {@code e}. */
  int entrySizeAt(int e) {
    int len = arena[e] & 0xff;
    int p = e + 1 + len;
    while (arena[p++] < 0) {
      // continuation bytes of the varint
    }
    return p - e;
  }

  /** Visits every live entry. */
  void forEach(EntryConsumer c) {
    int p = 0;
    while (p < used) {
      int len = arena[p] & 0xff;
      if (isLive(p)) {
        c.accept(arena, p + 1, len, readVarint(arena, p + 1 + len));
      }
      p += entrySizeAt(p);
    }
  }

  @FunctionalInterface
  interface EntryConsumer {
    void accept(byte[] arena, int nameOff, int nameLen, int decisionId);
  }

  /** Builds a segment of exactly known arena size; entries appended then indexed. */
  static final class Builder {
    private final byte[] arena;
    private final long[] slots;
    private int used;
    private int count;
    private boolean hasDead;

    Builder(int entries, int arenaBytes, double load) {
      this.arena = new byte[arenaBytes];
      this.slots = new long[Math.max(2, (int) Math.ceil(entries / load) + 1)];
    }

    /** Adds (or replaces: last one wins) the name at {@code src[off, off+len)}. */
    void add(long hash, byte[] src, int off, int len, int id) {
      int e = used;
      arena[e] = (byte) len;
      System.arraycopy(src, off, arena, e + 1, len);
      int p = e + 1 + len;
      int v = id;
      while ((v & ~0x7f) != 0) {
        arena[p++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      arena[p++] = (byte) v;
      used = p;
      int cap = slots.length;
      int i = slotIndex(hash, cap);
      int tag = tag(hash);
      long value = ((long) tag << 32) | ((e + 1) & 0xffffffffL);
      while (true) {
        long slot = slots[i];
        if (slot == 0) {
          slots[i] = value;
          count++;
          return;
        }
        int o = (int) slot - 1;
        if ((int) (slot >>> 32) == tag && (arena[o] & 0xff) == len
            && Arrays.equals(arena, o + 1, o + 1 + len, src, off, off + len)) {
          slots[i] = value; // duplicate key: the later entry wins (its predecessor becomes dead bytes)
          hasDead = true;
          return;
        }
        if (++i == cap) {
          i = 0;
        }
      }
    }

    Segment build() {
      if (count == 0) {
        return EMPTY;
      }
      byte[] a = used == arena.length ? arena : Arrays.copyOf(arena, used);
      return new Segment(slots, a, count, used, hasDead);
    }
  }

  /**
   * Copy-on-write: a new segment holding this one's entries minus {@code dead} arena offsets,
   * plus {@code puts}. Only touched segments are rebuilt, so a small changeset costs little.
   */
  Segment rebuild(Set<Integer> dead, java.util.List<Put> puts, double load) {
    int liveBytes = 0;
    int liveCount = 0;
    int p = 0;
    // Pass 1: size the new arena.
    while (p < used) {
      int size = entrySizeAt(p);
      if (!dead.contains(p) && isLive(p)) {
        liveBytes += size;
        liveCount++;
      }
      p += size;
    }
    int putBytes = 0;
    for (Put put : puts) {
      putBytes += entrySize(put.name().length, put.id());
    }
    Builder b = new Builder(liveCount + puts.size(), liveBytes + putBytes, load);
    p = 0;
    while (p < used) {
      int size = entrySizeAt(p);
      if (!dead.contains(p) && isLive(p)) {
        int len = arena[p] & 0xff;
        b.add(WireNames.hash(arena, p + 1, len), arena, p + 1, len, readVarint(arena, p + 1 + len));
      }
      p += size;
    }
    for (Put put : puts) {
      b.add(put.hash(), put.name(), 0, put.name().length, put.id());
    }
    return b.build();
  }

  /** An entry is live when its slot still points at it (a replaced duplicate is dead bytes). */
  private boolean isLive(int e) {
    if (!hasDead) {
      return true;
    }
    int len = arena[e] & 0xff;
    long h = WireNames.hash(arena, e + 1, len);
    byte[] name = Arrays.copyOfRange(arena, e + 1, e + 1 + len);
    return find(h, name) == e;
  }

  record Put(long hash, byte[] name, int id) {}
}
