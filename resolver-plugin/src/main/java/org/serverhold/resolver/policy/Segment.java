package org.serverhold.resolver.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One immutable open-addressing hash table of names. Entries live in a byte arena as
 * {@code [len][wire name][varint decision id]}; a slot is a long holding the low 48 bits of the
 * name's 64-bit hash (the "key") and a 16-bit decision id (0 = empty slot).
 *
 * <p>Two modes:
 * <ul>
 *   <li><b>hash mode</b> (the big domain table): a lookup reads one slot run and nothing else, no
 *   arena access. At ten million names the slot line is the only cache miss of a decision, where
 *   checking the name in the arena used to cost a second, dependent one. See "Why a key match is
 *   enough" below.
 *   <li><b>exact mode</b> (the small zone/flag table, probed for every label and always hot): a
 *   parallel {@code int[]} holds each slot's arena offset and every match is confirmed byte by byte.
 * </ul>
 *
 * <p>Entries whose decision id does not fit in 16 bits, and entries whose 48-bit key equals
 * another entry's key in the same segment (detected exactly when the segment is built), are
 * "escaped": their slot carries {@link #ESCAPE} and the lookup resolves them by name through a
 * small sorted side table. So two names <em>in the policy</em> never share a decision: a denied
 * name can never read another name's ALLOW, and the arena stays the source of truth for
 * enumeration and rebuilds.
 *
 * <p><b>Why a key match is enough (hash mode).</b> The only remaining inexactness is a query name
 * that is <em>not</em> in the policy whose hash agrees with a stored name on the segment bits (the
 * table picks the segment by the top bits of the same hash) and on the 48 key bits. An absent
 * name is compared only with the few entries of its probe run (about 3 at load 0.7), each matching
 * with probability 2^-48, so a lookup misreads with probability about 3 x 2^-48 = 1e-14, whatever
 * the table size; at 100,000 queries per second that is about one event in 30 years of a gateway's
 * traffic, and then the absent name gets the stored name's decision (ALLOW for 9 in 10 names).
 * An attacker cannot aim at a collision: the hash is keyed with a per-process random seed
 * ({@link WireNames#SEED}) that never leaves the process (nothing persists hashes), so finding one
 * means guessing online, about 2^47 queries per hit. Flags and zones (exact mode) stay exact.
 */
final class Segment {
  static final Segment EMPTY = new Segment(new long[1], null, new byte[0], 0, 0, new long[0], new int[0], new int[0]);
  /** Load factor of the big domain table: memory against probe length. */
  static final double DENSE = 0.7;
  /** Load factor of small tables probed for every label (zones, flags): short misses. */
  static final double SPARSE = 0.25;
  /** The id field of an escaped slot: resolve the name through the side table. */
  static final int ESCAPE = 0xffff;
  private static final long KEY_MASK = (1L << 48) - 1;

  final long[] slots;
  /** Exact mode: arena offset of each slot's entry; null in hash mode. */
  final int[] offsets;
  final byte[] arena;
  final int count;
  final int used;
  /** Hash mode: keys (sorted) and arena offsets of the escaped entries. */
  private final long[] escKeys;
  private final int[] escOffsets;
  /** Sorted arena offsets of entries replaced by a later duplicate (rare: duplicate snapshot rows). */
  private final int[] dead;

  private Segment(long[] slots, int[] offsets, byte[] arena, int count, int used, long[] escKeys, int[] escOffsets,
      int[] dead) {
    this.slots = slots;
    this.offsets = offsets;
    this.arena = arena;
    this.count = count;
    this.used = used;
    this.escKeys = escKeys;
    this.escOffsets = escOffsets;
    this.dead = dead;
  }

  static int slotIndex(long hash, int capacity) {
    return (int) (((hash & 0xffffffffL) * capacity) >>> 32);
  }

  /** The 48-bit key of a hash; never 0, so that a slot is never 0 (empty) when occupied. */
  static long key(long hash) {
    long k = hash & KEY_MASK;
    return k == 0 ? 1 : k;
  }

  /**
   * Decision id for the name at {@code q[off, off+len)} with table hash {@code hash}, or -1.
   * Hash mode with no escape on the way reads nothing but {@code slots}.
   */
  int lookup(long hash, byte[] q, int off, int len) {
    long[] s = slots;
    int cap = s.length;
    int i = slotIndex(hash, cap);
    long key = key(hash);
    int[] offs = offsets;
    while (true) {
      long slot = s[i];
      if (slot == 0) {
        return -1;
      }
      if ((slot >>> 16) == key) {
        int id = (int) slot & 0xffff;
        if (offs == null) {
          return id != ESCAPE ? id : escaped(key, q, off, len);
        }
        int e = offs[i];
        if ((arena[e] & 0xff) == len && WireNames.equalsStored(q, off, len, arena, e + 1)) {
          return id != ESCAPE ? id : readVarint(arena, e + 1 + len);
        }
      }
      if (++i == cap) {
        i = 0;
      }
    }
  }

  /** Hash mode, escaped key: find the name among the escaped entries. */
  int escaped(long key, byte[] q, int off, int len) {
    int i = Arrays.binarySearch(escKeys, key);
    if (i < 0) {
      return -1;
    }
    while (i > 0 && escKeys[i - 1] == key) {
      i--;
    }
    for (; i < escKeys.length && escKeys[i] == key; i++) {
      int e = escOffsets[i];
      if ((arena[e] & 0xff) == len && WireNames.equalsStored(q, off, len, arena, e + 1)) {
        return readVarint(arena, e + 1 + len);
      }
    }
    return -1;
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

  private boolean isLive(int e) {
    return dead.length == 0 || Arrays.binarySearch(dead, e) < 0;
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
    /** Arena offset per slot: kept by exact segments, needed while building by both. */
    private final int[] offsets;
    private final boolean exact;
    private int used;
    private int count;
    /** Hash mode: {key, arena offset} of escaped entries. */
    private final List<long[]> escaped = new ArrayList<>();
    private final List<Integer> dead = new ArrayList<>();

    Builder(int entries, int arenaBytes, double load, boolean exact) {
      this.arena = new byte[arenaBytes];
      this.slots = new long[Math.max(2, (int) Math.ceil(entries / load) + 1)];
      this.offsets = new int[slots.length];
      this.exact = exact;
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
      long key = key(hash);
      boolean escape = id >= ESCAPE;
      while (true) {
        long slot = slots[i];
        if (slot == 0) {
          break;
        }
        if ((slot >>> 16) == key) {
          int o = offsets[i];
          if ((arena[o] & 0xff) == len && Arrays.equals(arena, o + 1, o + 1 + len, src, off, off + len)) {
            // Duplicate key: the later entry takes the slot, its predecessor becomes dead bytes.
            dead.add(o);
            if (((int) slot & 0xffff) == ESCAPE && !exact) {
              escaped.removeIf(x -> x[1] == o);
              escape = true; // the key may still be shared with a third name: stay escaped
            }
            put(i, key, id, e, escape);
            return;
          }
          if (!exact) {
            // Two names, one key: from now on both are told apart by name.
            if (((int) slot & 0xffff) != ESCAPE) {
              slots[i] = (key << 16) | ESCAPE;
              escaped.add(new long[] {key, o});
            }
            escape = true;
          }
        }
        if (++i == cap) {
          i = 0;
        }
      }
      count++;
      put(i, key, id, e, escape);
    }

    private void put(int i, long key, int id, int e, boolean escape) {
      boolean esc = escape || id >= ESCAPE;
      slots[i] = (key << 16) | (esc ? ESCAPE : id);
      offsets[i] = e;
      if (esc && !exact) {
        escaped.add(new long[] {key, e});
      }
    }

    Segment build() {
      if (count == 0) {
        return EMPTY;
      }
      byte[] a = used == arena.length ? arena : Arrays.copyOf(arena, used);
      int n = exact ? 0 : escaped.size();
      long[][] pairs = escaped.toArray(new long[n][]);
      Arrays.sort(pairs, (x, y) -> Long.compare(x[0], y[0]));
      long[] keys = new long[n];
      int[] offs = new int[n];
      for (int k = 0; k < n; k++) {
        keys[k] = pairs[k][0];
        offs[k] = (int) pairs[k][1];
      }
      int[] deadOffsets = dead.stream().mapToInt(Integer::intValue).sorted().toArray();
      return new Segment(slots, exact ? offsets : null, a, count, used, keys, offs, deadOffsets);
    }
  }

  /**
   * Copy-on-write: a new segment holding this one's live entries except those named by
   * {@code mods}, plus the mods with an id. Only touched segments are rebuilt, so a small
   * changeset costs little. {@code removed[0]} receives how many existing entries were dropped.
   *
   * <p>Every live entry is hashed once (the new table needs its hash anyway) and looked up among
   * the mods by that hash, names compared only on a hash match: a 100,000-name takedown touches
   * nearly every segment of a big table, and wrapping and content-hashing each entry for a
   * {@code HashSet} lookup, then hashing it again to re-add it, was most of applying it.
   */
  Segment rebuild(List<NameTable.Mod> mods, double load, boolean exact, int[] removed) {
    NameTable.Mod[] byHash = mods.toArray(new NameTable.Mod[0]);
    Arrays.sort(byHash, (x, y) -> Long.compare(x.hash(), y.hash()));
    long[] modHashes = new long[byHash.length];
    for (int i = 0; i < byHash.length; i++) {
      modHashes[i] = byHash[i].hash();
    }
    int slots = count + dead.length;
    int[] keptOffsets = new int[slots];
    long[] keptHashes = new long[slots];
    int kept = 0;
    int liveBytes = 0;
    int gone = 0;
    int p = 0;
    while (p < used) {
      int size = entrySizeAt(p);
      if (isLive(p)) {
        int len = arena[p] & 0xff;
        long h = WireNames.hash(arena, p + 1, len);
        if (named(byHash, modHashes, h, p, len)) {
          gone++;
        } else {
          keptOffsets[kept] = p;
          keptHashes[kept] = h;
          kept++;
          liveBytes += size;
        }
      }
      p += size;
    }
    int putBytes = 0;
    int puts = 0;
    for (NameTable.Mod m : mods) {
      if (m.id() >= 0) {
        putBytes += entrySize(m.name().length, m.id());
        puts++;
      }
    }
    Builder b = new Builder(kept + puts, liveBytes + putBytes, load, exact);
    for (int k = 0; k < kept; k++) {
      int e = keptOffsets[k];
      int len = arena[e] & 0xff;
      b.add(keptHashes[k], arena, e + 1, len, readVarint(arena, e + 1 + len));
    }
    for (NameTable.Mod m : mods) {
      if (m.id() >= 0) {
        b.add(m.hash(), m.name(), 0, m.name().length, m.id());
      }
    }
    removed[0] = gone;
    return b.build();
  }

  /** Whether the entry at {@code e} (name {@code len} bytes, hash {@code h}) is one of the mods. */
  private boolean named(NameTable.Mod[] byHash, long[] modHashes, long h, int e, int len) {
    int i = Arrays.binarySearch(modHashes, h);
    if (i < 0) {
      return false;
    }
    while (i > 0 && modHashes[i - 1] == h) {
      i--;
    }
    for (; i < modHashes.length && modHashes[i] == h; i++) {
      byte[] n = byHash[i].name();
      if (n.length == len && Arrays.equals(n, 0, len, arena, e + 1, e + 1 + len)) {
        return true;
      }
    }
    return false;
  }
}
