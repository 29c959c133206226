package org.serverhold.resolver.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.serverhold.resolver.denial.ChainCheck;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Upstream answers kept for their TTL (negative answers per RFC 2308: the SOA's TTL capped by its
 * MINIMUM). Entries keep the chain's names so the policy can be re-checked on every hit: a
 * takedown must not be outlived by a cached CNAME chain. LRU-bounded; striped locks keep
 * contention low.
 */
final class AnswerCache {
  private static final int STRIPES = 16;

  /**
   * A cached answer's question, by the name's lower-case wire form (so a query is looked up
   * straight from its bytes) and what else the answer depends on: DO and CD change what upstream
   * returns.
   */
  static final class Key {
    private final byte[] name;
    private final int type;
    private final int bits;
    private final int hash;

    private Key(byte[] lowerCaseWire, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {
      this.name = lowerCaseWire;
      this.type = type;
      this.bits = (dclass << 2) | (dnssecOk ? 2 : 0) | (checkingDisabled ? 1 : 0);
      this.hash = (java.util.Arrays.hashCode(name) * 31 + type) * 31 + bits;
    }

    Key(Name name, int type, int dclass, boolean dnssecOk, boolean checkingDisabled) {
      this(name.toWireCanonical(), type, dclass, dnssecOk, checkingDisabled);
    }

    /** The key of the uncompressed name at {@code packet[from, to)} (terminal zero included). */
    static Key ofWire(byte[] packet, int from, int to, int type, int dclass, boolean dnssecOk, boolean cd) {
      return new Key(WireQuery.lowerCase(packet, from, to), type, dclass, dnssecOk, cd);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.type == type && k.bits == bits
          && java.util.Arrays.equals(k.name, name);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** One record without its TTL clock: rebuilt with the remaining TTL on every hit. */
  record Stored(Name name, int type, int dclass, long ttl, byte[] rdata) {
    static Stored of(Record r, long maxTtl) {
      byte[] wire = r.toWire(Section.ANSWER);
      int rdataOffset = r.getName().length() + 10;
      return new Stored(r.getName(), r.getType(), r.getDClass(), Math.min(r.getTTL(), maxTtl),
          java.util.Arrays.copyOfRange(wire, rdataOffset, wire.length));
    }

    Record at(long elapsedSeconds) {
      return Record.newRecord(name, type, dclass, Math.max(0, ttl - elapsedSeconds), rdata);
    }
  }

  /**
   * A cached answer: as wire bytes ({@code wire}, what the fast path serves and the full path
   * parses back), or, when no wire template could be made, as records ({@code stored}, null
   * otherwise: holding both doubled an entry's memory). {@code chainWire}: every name of the
   * answer's CNAME/DNAME chain, which the policy must approve before the answer is served.
   */
  record Cached(int rcode, boolean authenticated, WireAnswer wire, List<List<Stored>> stored, byte[][] chainWire,
      long storedNanos, long expiresNanos) {

    long elapsedSeconds(long now) {
      return (now - storedNanos) / 1_000_000_000L;
    }

    /** The records of one section (ANSWER, AUTHORITY or ADDITIONAL) with their remaining TTLs. */
    List<Record> records(int section, long now) {
      long elapsed = elapsedSeconds(now);
      if (wire != null) {
        return wire.records(section, elapsed);
      }
      List<Stored> in = stored.get(section - Section.ANSWER);
      List<Record> out = new ArrayList<>(in.size());
      for (Stored s : in) {
        out.add(s.at(elapsed));
      }
      return out;
    }

    /** The chain's names, for the full path (which names the denied one in the denial log). */
    List<Name> chain() {
      List<Name> out = new ArrayList<>(chainWire.length);
      for (byte[] w : chainWire) {
        try {
          out.add(new Name(w));
        } catch (java.io.IOException e) {
          throw new IllegalStateException("a chain name stored by this cache does not parse", e);
        }
      }
      return out;
    }
  }

  private final int maxEntries;
  private final long maxTtlSeconds;
  private final LongSupplier clock;
  private final Map<Key, Cached>[] stripes;

  @SuppressWarnings("unchecked")
  AnswerCache(int maxEntries, Duration maxTtl, LongSupplier nanoClock) {
    this.maxEntries = maxEntries;
    this.maxTtlSeconds = maxTtl.toSeconds();
    this.clock = nanoClock;
    this.stripes = new Map[STRIPES];
    int perStripe = Math.max(1, maxEntries / STRIPES);
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Cached> eldest) {
          return size() > perStripe;
        }
      };
    }
  }

  private Map<Key, Cached> stripe(Key k) {
    return stripes[(k.hashCode() & 0x7fffffff) % STRIPES];
  }

  long now() {
    return clock.getAsLong();
  }

  /** A live entry, or null. */
  Cached get(Key key) {
    if (maxEntries <= 0) {
      return null;
    }
    Map<Key, Cached> m = stripe(key);
    synchronized (m) {
      Cached e = m.get(key);
      if (e == null) {
        return null;
      }
      if (clock.getAsLong() >= e.expiresNanos()) {
        m.remove(key);
        return null;
      }
      return e;
    }
  }

  /** Caches {@code response} if it is cacheable; returns the entry built (cached or not). */
  Cached put(Key key, Message response) {
    long now = clock.getAsLong();
    List<Record> answer = response.getSection(Section.ANSWER);
    List<Record> authority = response.getSection(Section.AUTHORITY);
    List<Record> additional = new ArrayList<>();
    for (Record r : response.getSection(Section.ADDITIONAL)) {
      if (r.getType() != Type.OPT && r.getType() != Type.TSIG) {
        additional.add(r);
      }
    }
    int rcode = response.getRcode();
    long ttl = ttl(rcode, answer, authority);
    // No record outlives its entry: the SOA of a negative answer carries the negative TTL (RFC 2308).
    List<Stored> an = stored(answer, ttl);
    List<Stored> ns = stored(authority, ttl);
    List<Stored> ar = stored(additional, ttl);
    List<Name> chain = ChainCheck.names(answer);
    byte[][] chainWire = new byte[chain.size()][];
    for (int i = 0; i < chainWire.length; i++) {
      chainWire[i] = chain.get(i).toWireCanonical();
    }
    WireAnswer wire = WireAnswer.of(key.name, response.getQuestion(), rcode, an, ns, ar);
    Cached e = new Cached(rcode, response.getHeader().getFlag(Flags.AD), wire, wire == null ? List.of(an, ns, ar) : null,
        chainWire, now, now + ttl * 1_000_000_000L);
    if (ttl > 0 && maxEntries > 0) {
      Map<Key, Cached> m = stripe(key);
      synchronized (m) {
        m.put(key, e);
      }
    }
    return e;
  }

  /** Seconds to keep an answer; 0 = do not cache. */
  private long ttl(int rcode, List<Record> answer, List<Record> authority) {
    long ttl;
    if (rcode == Rcode.NOERROR && !answer.isEmpty()) {
      ttl = Long.MAX_VALUE;
      for (Record r : answer) {
        ttl = Math.min(ttl, r.getTTL());
      }
    } else if (rcode == Rcode.NXDOMAIN || (rcode == Rcode.NOERROR && answer.isEmpty())) {
      ttl = 0; // RFC 2308: no SOA, no negative caching
      for (Record r : authority) {
        if (r instanceof SOARecord soa) {
          ttl = Math.min(soa.getTTL(), soa.getMinimum());
        }
      }
    } else {
      ttl = 0; // SERVFAIL, REFUSED...: ask again next time
    }
    return Math.min(ttl, maxTtlSeconds);
  }

  private static List<Stored> stored(List<Record> records, long maxTtl) {
    List<Stored> out = new ArrayList<>(records.size());
    for (Record r : records) {
      out.add(Stored.of(r, maxTtl));
    }
    return out;
  }

  int size() {
    int n = 0;
    for (Map<Key, Cached> m : stripes) {
      synchronized (m) {
        n += m.size();
      }
    }
    return n;
  }
}
