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
  private DecisionTable decisions = new DecisionTable();
  private volatile PolicyState state;

  /**
   * @param bootstrapZones managed zones to enforce {@code failMode} on before any policy arrives
   */
  public PolicyEngine(FailMode failMode, Collection<String> bootstrapZones) {
    this.failMode = failMode;
    TreeSet<String> zones = normalizeZones(bootstrapZones);
    this.state = new PolicyState(-1, false, List.copyOf(zones), zoneTable(zones), NameTable.EMPTY, NameTable.EMPTY,
        NameTable.EMPTY, decisions.snapshot());
  }

  /** Fail-closed, no bootstrap zones. */
  public PolicyEngine() {
    this(FailMode.CLOSED, List.of());
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
    final Decision[] ds = st.decisions();
    final boolean subtreeFlags = !st.subtreeFlags().isEmpty();
    final boolean exactFlags = !st.exactFlags().isEmpty();
    long h = WireNames.SEED;
    int depth = 0;
    int zoneDepth = -1;
    int regStart = -1;
    long regHash = 0;
    for (int w = 3; w >= 0; w--) {
      long bits = w == 3 ? b3 : w == 2 ? b2 : w == 1 ? b1 : b0;
      while (bits != 0) {
        int bit = 63 - Long.numberOfLeadingZeros(bits);
        bits &= ~(1L << bit);
        int s = start + (w << 6) + bit;
        h = WireNames.mixLabel(h, q, s + 1, q[s] & 0xff);
        long sh = WireNames.finish(h);
        depth++;
        int n = end - s;
        if (subtreeFlags) {
          int id = st.subtreeFlags().lookup(sh, q, s, n);
          if (id >= 0) {
            return ds[id];
          }
        }
        if (exactFlags && s == start) {
          int id = st.exactFlags().lookup(sh, q, s, n);
          if (id >= 0) {
            return ds[id];
          }
        }
        if (st.zones().lookup(sh, q, s, n) >= 0) {
          zoneDepth = depth;
          regStart = -1;
        } else if (zoneDepth == depth - 1) {
          regStart = s;
          regHash = sh;
        }
      }
    }
    if (zoneDepth < 0) {
      // Outside every managed zone. With no policy and no known zones, fail-closed cannot tell
      // which names are ours, so it denies everything.
      return !st.loaded() && failMode == FailMode.CLOSED && st.zoneNames().isEmpty() ? Decision.NO_POLICY
          : Decision.ALLOW;
    }
    if (regStart < 0) {
      return Decision.ALLOW; // the zone apex (or a name above the registrable level)
    }
    int id = st.domains().lookup(regHash, q, regStart, end - regStart);
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
      Map<Key, NameTable.Mod> exact = new LinkedHashMap<>();
      Map<Key, NameTable.Mod> subtree = new LinkedHashMap<>();
      TreeSet<String> zones = new TreeSet<>(st.zoneNames());
      boolean zonesChanged = false;
      int skipped = 0;
      for (PolicyChange change : changeset.changes()) {
        switch (change) {
          case PolicyChange.Put(PolicyEntry e) -> {
            byte[] wire = WireNames.fromText(e.name());
            if (wire == null || wire.length == 0) {
              skipped++;
              continue;
            }
            int id = decisions.intern(effective(e));
            mods(e.kind(), domains, exact, subtree).put(new Key(wire),
                new NameTable.Mod(wire, WireNames.hash(wire, 0, wire.length), id));
          }
          case PolicyChange.Remove(EntryKind kind, String name) -> {
            byte[] wire = WireNames.fromText(name);
            if (wire == null || wire.length == 0) {
              skipped++;
              continue;
            }
            mods(kind, domains, exact, subtree).put(new Key(wire),
                new NameTable.Mod(wire, WireNames.hash(wire, 0, wire.length), -1));
          }
          case PolicyChange.AddZone(String z) -> zonesChanged |= zones.addAll(normalizeZones(List.of(z)));
          case PolicyChange.RemoveZone(String z) -> zonesChanged |= zones.removeAll(normalizeZones(List.of(z)));
        }
      }
      if (skipped > 0) {
        int n = skipped;
        LOG.warning(() -> "changeset " + changeset.version() + ": skipped " + n + " entries with invalid names");
      }
      PolicyState next = new PolicyState(changeset.version(), true, zonesChanged ? List.copyOf(zones) : st.zoneNames(),
          zonesChanged ? zoneTable(zones) : st.zones(),
          st.domains().with(new ArrayList<>(domains.values())),
          st.exactFlags().with(new ArrayList<>(exact.values())),
          st.subtreeFlags().with(new ArrayList<>(subtree.values())),
          decisions.snapshot());
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

  private static Map<Key, NameTable.Mod> mods(EntryKind kind, Map<Key, NameTable.Mod> domains,
      Map<Key, NameTable.Mod> exact, Map<Key, NameTable.Mod> subtree) {
    return switch (kind) {
      case DOMAIN -> domains;
      case FLAG_EXACT -> exact;
      case FLAG_SUBTREE -> subtree;
    };
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

  private static NameTable zoneTable(Collection<String> zones) {
    NameTable.Builder b = new NameTable.Builder(zones.size());
    for (String z : zones) {
      byte[] wire = WireNames.fromText(z);
      b.add(wire, 0, wire.length, 0);
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
    private final DecisionTable table = new DecisionTable();
    private final NameTable.Builder domains;
    private final NameTable.Builder exact = new NameTable.Builder(16);
    private final NameTable.Builder subtree = new NameTable.Builder(16);
    private long rejected;
    private boolean done;

    private SnapshotLoader(long version, Collection<String> zones, long expectedEntries) {
      this.version = version;
      this.zones = normalizeZones(zones);
      this.domains = new NameTable.Builder(expectedEntries);
    }

    public void addZone(String zone) {
      zones.addAll(normalizeZones(List.of(zone)));
    }

    /** Adds one entry; an entry whose name is not a valid A-label name is counted and skipped. */
    public void add(PolicyEntry e) {
      byte[] wire = WireNames.fromText(e.name());
      if (wire == null || wire.length == 0) {
        rejected++;
        return;
      }
      int id = table.intern(effective(e));
      NameTable.Builder b = switch (e.kind()) {
        case DOMAIN -> domains;
        case FLAG_EXACT -> exact;
        case FLAG_SUBTREE -> subtree;
      };
      b.add(wire, 0, wire.length, id);
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
      PolicyState next = new PolicyState(version, true, List.copyOf(zones), zoneTable(zones), domains.build(),
          exact.build(), subtree.build(), table.snapshot());
      writeLock.lock();
      try {
        decisions = table;
        publish(next);
      } finally {
        writeLock.unlock();
      }
      notifyListeners(version);
    }
  }
}
