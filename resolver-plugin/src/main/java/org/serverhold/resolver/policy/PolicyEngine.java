package org.serverhold.resolver.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * The in-memory resolution policy.
 *
 * <p>{@link #decide} walks the query's labels from the right: a subtree flag on any ancestor (or
 * an exact flag on the name) denies with FLAGGED; under a managed zone (the longest one wins) the
 * registrable name, one label below it, must be an ALLOW entry, else it is denied with that
 * entry's reason or NOT_REGISTERED; a zone apex and names outside managed zones are allowed.
 *
 * <p>Concurrency: the whole policy is one immutable {@link PolicyState} behind a volatile field.
 * Writers (one at a time) build the next state by copying only the table segments a changeset
 * touches and publish it with one volatile write, so readers never wait and never see half a
 * changeset.
 */
public final class PolicyEngine {
  private static final Logger LOG = Logger.getLogger(PolicyEngine.class.getName());

  private final FailMode failMode;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Object versionMonitor = new Object();
  private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
  private Interner<Decision> decisions = newDecisions();
  private Interner<SuffixInfo> infos = newInfos();
  private volatile PolicyState state;

  /**
   * @param bootstrapZones managed zones to enforce {@code failMode} on before any policy arrives
   */
  public PolicyEngine(FailMode failMode, Collection<String> bootstrapZones) {
    this.failMode = failMode;
    TreeSet<String> zones = normalizeZones(bootstrapZones);
    Map<Key, SuffixInfo> suffixes = new LinkedHashMap<>();
    for (String z : zones) {
      suffixes.put(new Key(WireNames.fromText(z)), SuffixInfo.NONE.withZone(true));
    }
    this.state = new PolicyState(-1, false, List.copyOf(zones), suffixTable(suffixes, infos), infos.snapshot(),
        NameTable.EMPTY, decisions.snapshot(), 0);
  }

  /** Fail-closed, no bootstrap zones. */
  public PolicyEngine() {
    this(FailMode.CLOSED, List.of());
  }

  private static Interner<Decision> newDecisions() {
    return new Interner<>(Decision[]::new, Decision.ALLOW);
  }

  private static Interner<SuffixInfo> newInfos() {
    return new Interner<>(SuffixInfo[]::new, SuffixInfo.NONE);
  }

  // ---------------------------------------------------------------- reading

  /** The decision for a dnsjava name (one small allocation: its canonical wire form). */
  public Decision decide(Name name) {
    return decideWire(name.toWireCanonical(), 0);
  }

  /** The decision for a presentation-form name such as {@code www.example.cn}. */
  public Decision decide(CharSequence name) {
    try {
      return decide(Name.fromString(name.toString(), Name.root));
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a DNS name: " + name, e);
    }
  }

  /**
   * The decision for a name in uncompressed wire format starting at {@code q[start]} (case
   * insensitive). Allocation-free: labels are located with a bitmap of label starts held in four
   * longs (a name has at most 255 bytes) and each ancestor is hashed incrementally.
   */
  public Decision decideWire(byte[] q, int start) {
    PolicyState st = state;
    long b0 = 0;
    long b1 = 0;
    long b2 = 0;
    long b3 = 0;
    int p = start;
    while (true) {
      if (p >= q.length) {
        throw new IllegalArgumentException("truncated name");
      }
      int len = q[p] & 0xff;
      if (len == 0) {
        break;
      }
      int rel = p - start;
      if (len > 63 || rel + len >= 255) {
        throw new IllegalArgumentException("invalid name");
      }
      switch (rel >>> 6) {
        case 0 -> b0 |= 1L << rel;
        case 1 -> b1 |= 1L << rel;
        case 2 -> b2 |= 1L << rel;
        default -> b3 |= 1L << rel;
      }
      p += len + 1;
    }
    final int end = p;
    final NameTable suffixes = st.suffixes();
    final NameTable domains = st.domains();
    final SuffixInfo[] infos = st.suffixInfos();
    // No zone or flag has more labels than this: deeper labels need no probe, and once past it
    // only the registrable name (one below the deepest zone found) can still matter.
    final int maxDepth = suffixes.maxLabels();
    long h = WireNames.SEED;
    int depth = 0;
    int zoneDepth = -1;
    int regStart = -1;
    long regHash = 0;
    long regHome = 0;
    walk:
    for (int w = 3; w >= 0; w--) {
      long bits = w == 3 ? b3 : w == 2 ? b2 : w == 1 ? b1 : b0;
      while (bits != 0) {
        int bit = 63 - Long.numberOfLeadingZeros(bits);
        bits &= ~(1L << bit);
        int s = start + (w << 6) + bit;
        depth++;
        if (depth > maxDepth) {
          if (zoneDepth == depth - 1) {
            regStart = s;
            regHash = WireNames.finish(WireNames.mixLabel(h, q, s + 1, q[s] & 0xff));
            regHome = domains.homeSlot(regHash);
          }
          break walk;
        }
        h = WireNames.mixLabel(h, q, s + 1, q[s] & 0xff);
        long sh = WireNames.finish(h);
        // The registrable level if no zone sits here: start its (likely cache-missing) domain
        // slot read now, so it overlaps the probe below and the labels still to walk.
        long home = zoneDepth == depth - 1 ? domains.homeSlot(sh) : 0;
        // One probe per label answers all of: subtree flag here? exact flag? managed zone?
        int id = suffixes.lookup(sh, q, s, end - s);
        if (id >= 0) {
          SuffixInfo info = infos[id];
          if (info.subtree() != null) {
            return info.subtree();
          }
          if (info.exact() != null && s == start) {
            return info.exact();
          }
          if (info.zone()) {
            zoneDepth = depth;
            regStart = -1;
            continue;
          }
        }
        if (zoneDepth == depth - 1) {
          regStart = s;
          regHash = sh;
          regHome = home;
        }
      }
    }
    if (zoneDepth < 0) {
      // Outside every managed zone. With no policy and no known zones, fail-closed cannot tell
      // which names are ours, so it denies everything.
      return !st.loaded() && failMode == FailMode.CLOSED && st.zoneNames().isEmpty() ? Decision.NO_POLICY
          : Decision.ALLOW;
    }
    final Decision[] ds = st.decisions();
    if (regStart < 0) {
      return Decision.ALLOW; // the zone apex (or a name above the registrable level)
    }
    int id = domains.lookup(regHash, q, regStart, end - regStart, regHome);
    if (id >= 0) {
      return ds[id];
    }
    if (!st.loaded()) {
      return failMode == FailMode.CLOSED ? Decision.NO_POLICY : Decision.ALLOW;
    }
    return Decision.NOT_REGISTERED;
  }

  /** The applied feed version; -1 when no policy has been loaded. */
  public long version() {
    return state.version();
  }

  /** True once a snapshot (from the feed or the local file) has been loaded. */
  public boolean hasPolicy() {
    return state.loaded();
  }

  /** Number of entries (domains and flags). */
  public long size() {
    return state.names();
  }

  public List<String> zones() {
    return state.zoneNames();
  }

  public FailMode failMode() {
    return failMode;
  }

  /** An immutable view of the current version, e.g. to persist it. */
  public PolicyView view() {
    return new PolicyView(state);
  }

  /** Called (on the writer's thread) after each published version. Keep it cheap. */
  public void addVersionListener(LongConsumer listener) {
    listeners.add(listener);
  }

  /** Waits until the engine is at {@code version} or later; false on timeout. */
  public boolean awaitVersion(long version, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (versionMonitor) {
      while (state.version() < version) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        versionMonitor.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  // ---------------------------------------------------------------- writing

  /** Starts a snapshot; nothing is visible until {@link SnapshotLoader#install()}. */
  public SnapshotLoader beginSnapshot(long version, Collection<String> zones, long expectedEntries) {
    return new SnapshotLoader(version, zones, expectedEntries);
  }

  /**
   * Applies a changeset atomically.
   *
   * @throws VersionGapException when it is not exactly the next version (take a new snapshot)
   */
  public void apply(PolicyChangeset changeset) {
    long published;
    writeLock.lock();
    try {
      PolicyState st = state;
      if (!st.loaded() || changeset.version() != st.version() + 1) {
        throw new VersionGapException(st.version(), changeset.version());
      }
      Map<Key, NameTable.Mod> domains = new LinkedHashMap<>();
      Map<Key, SuffixInfo> suffixChanges = new LinkedHashMap<>();
      TreeSet<String> zones = new TreeSet<>(st.zoneNames());
      int skipped = 0;
      for (PolicyChange change : changeset.changes()) {
        switch (change) {
          case PolicyChange.Put(PolicyEntry e) -> {
            byte[] wire = WireNames.fromText(e.name());
            if (wire == null || wire.length == 0) {
              skipped++;
              continue;
            }
            if (e.kind() == EntryKind.DOMAIN) {
              domains.put(new Key(wire), new NameTable.Mod(wire, WireNames.hash(wire, 0, wire.length),
                  decisions.intern(e.decision())));
            } else {
              Key k = new Key(wire);
              suffixChanges.put(k, current(st, suffixChanges, k).withFlag(e.kind(), effective(e)));
            }
          }
          case PolicyChange.Remove(EntryKind kind, String name) -> {
            byte[] wire = WireNames.fromText(name);
            if (wire == null || wire.length == 0) {
              skipped++;
              continue;
            }
            if (kind == EntryKind.DOMAIN) {
              domains.put(new Key(wire), new NameTable.Mod(wire, WireNames.hash(wire, 0, wire.length), -1));
            } else {
              Key k = new Key(wire);
              suffixChanges.put(k, current(st, suffixChanges, k).withFlag(kind, null));
            }
          }
          case PolicyChange.AddZone(String z) -> {
            for (String n : normalizeZones(List.of(z))) {
              zones.add(n);
              Key k = new Key(WireNames.fromText(n));
              suffixChanges.put(k, current(st, suffixChanges, k).withZone(true));
            }
          }
          case PolicyChange.RemoveZone(String z) -> {
            for (String n : normalizeZones(List.of(z))) {
              zones.remove(n);
              Key k = new Key(WireNames.fromText(n));
              suffixChanges.put(k, current(st, suffixChanges, k).withZone(false));
            }
          }
        }
      }
      if (skipped > 0) {
        int n = skipped;
        LOG.warning(() -> "changeset " + changeset.version() + ": skipped " + n + " entries with invalid names");
      }
      List<NameTable.Mod> suffixMods = new ArrayList<>(suffixChanges.size());
      long flags = st.flags();
      for (Map.Entry<Key, SuffixInfo> e : suffixChanges.entrySet()) {
        byte[] wire = e.getKey().wire();
        flags += e.getValue().flags() - current(st, Map.of(), e.getKey()).flags();
        suffixMods.add(new NameTable.Mod(wire, WireNames.hash(wire, 0, wire.length),
            e.getValue().isEmpty() ? -1 : infos.intern(e.getValue())));
      }
      PolicyState next = new PolicyState(changeset.version(), true, List.copyOf(zones),
          st.suffixes().with(suffixMods), infos.snapshot(),
          st.domains().with(new ArrayList<>(domains.values())), decisions.snapshot(), flags);
      publish(next);
      published = next.version();
    } finally {
      writeLock.unlock();
    }
    notifyListeners(published);
  }

  private void publish(PolicyState next) {
    synchronized (versionMonitor) {
      state = next;
      versionMonitor.notifyAll();
    }
  }

  private void notifyListeners(long version) {
    for (LongConsumer l : listeners) {
      try {
        l.accept(version);
      } catch (RuntimeException e) {
        LOG.warning(() -> "policy version listener failed: " + e);
      }
    }
  }

  /** A flag always denies: one sent without a reason is FLAGGED. */
  private static Decision effective(PolicyEntry e) {
    if (e.kind() != EntryKind.DOMAIN && e.decision().allowed()) {
      return Decision.deny(DenyReason.FLAGGED, "");
    }
    return e.decision();
  }

  /** The suffix info of {@code k}: as changed earlier in this changeset, else as published. */
  private static SuffixInfo current(PolicyState st, Map<Key, SuffixInfo> pending, Key k) {
    SuffixInfo p = pending.get(k);
    if (p != null) {
      return p;
    }
    int id = st.suffixes().get(k.wire());
    return id < 0 ? SuffixInfo.NONE : st.suffixInfos()[id];
  }

  private static TreeSet<String> normalizeZones(Collection<String> zones) {
    TreeSet<String> out = new TreeSet<>();
    for (String z : zones) {
      String n = z.trim().toLowerCase(Locale.ROOT);
      if (n.endsWith(".")) {
        n = n.substring(0, n.length() - 1);
      }
      byte[] wire = WireNames.fromText(n);
      if (wire == null || wire.length == 0) {
        LOG.warning(() -> "ignoring invalid managed zone '" + z + "'");
        continue;
      }
      out.add(n);
    }
    return out;
  }

  private static NameTable suffixTable(Map<Key, SuffixInfo> entries, Interner<SuffixInfo> interner) {
    NameTable.Builder b = new NameTable.Builder(entries.size(), Segment.SPARSE, true);
    for (Map.Entry<Key, SuffixInfo> e : entries.entrySet()) {
      byte[] wire = e.getKey().wire();
      b.add(wire, 0, wire.length, interner.intern(e.getValue()));
    }
    return b.build();
  }

  /** Content-compared byte[] key, so the last change to a name in a changeset wins. */
  private record Key(byte[] wire) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(wire, k.wire);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(wire);
    }
  }

  /**
   * Accumulates a whole snapshot off to the side; {@link #install()} swaps it in atomically.
   * Not thread-safe: one loader is fed by one thread.
   */
  public final class SnapshotLoader {
    private final long version;
    private final TreeSet<String> zones;
    private final Interner<Decision> table = newDecisions();
    private final NameTable.Builder domains;
    private final Map<Key, SuffixInfo> suffixes = new LinkedHashMap<>();
    private long flags;
    private long rejected;
    private boolean done;

    private SnapshotLoader(long version, Collection<String> zones, long expectedEntries) {
      this.version = version;
      this.zones = new TreeSet<>();
      this.domains = new NameTable.Builder(expectedEntries);
      zones.forEach(this::addZone);
    }

    public void addZone(String zone) {
      for (String n : normalizeZones(List.of(zone))) {
        if (zones.add(n)) {
          suffixes.merge(new Key(WireNames.fromText(n)), SuffixInfo.NONE.withZone(true),
              (old, z) -> old.withZone(true));
        }
      }
    }

    /** Adds one entry; an entry whose name is not a valid A-label name is counted and skipped. */
    public void add(PolicyEntry e) {
      byte[] wire = WireNames.fromText(e.name());
      if (wire == null || wire.length == 0) {
        rejected++;
        return;
      }
      if (e.kind() == EntryKind.DOMAIN) {
        domains.add(wire, 0, wire.length, table.intern(e.decision()));
      } else {
        Key k = new Key(wire);
        SuffixInfo old = suffixes.getOrDefault(k, SuffixInfo.NONE);
        SuffixInfo updated = old.withFlag(e.kind(), effective(e));
        flags += updated.flags() - old.flags();
        suffixes.put(k, updated);
      }
    }

    public long rejected() {
      return rejected;
    }

    public long version() {
      return version;
    }

    /** Publishes the snapshot, replacing whatever the engine held. */
    public void install() {
      if (done) {
        throw new IllegalStateException("already installed");
      }
      done = true;
      Interner<SuffixInfo> suffixInfos = newInfos();
      NameTable suffixTable = suffixTable(suffixes, suffixInfos);
      PolicyState next = new PolicyState(version, true, List.copyOf(zones), suffixTable, suffixInfos.snapshot(),
          domains.build(), table.snapshot(), flags);
      writeLock.lock();
      try {
        decisions = table;
        infos = suffixInfos;
        publish(next);
      } finally {
        writeLock.unlock();
      }
      notifyListeners(version);
    }
  }
}
