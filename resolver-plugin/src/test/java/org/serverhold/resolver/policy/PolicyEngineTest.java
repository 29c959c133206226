package org.serverhold.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {

  private static PolicyEngine engine(long version, List<String> zones, PolicyEntry... entries) {
    PolicyEngine engine = new PolicyEngine();
    PolicyEngine.SnapshotLoader loader = engine.beginSnapshot(version, zones, entries.length);
    for (PolicyEntry e : entries) {
      loader.add(e);
    }
    loader.install();
    return engine;
  }

  private static PolicyChangeset changeset(long version, PolicyChange... changes) {
    return new PolicyChangeset(version, List.of(changes), null, "test");
  }

  @Test
  void registrableNameMustBeAllowedUnderAManagedZone() {
    PolicyEngine e = engine(5, List.of("cn"),
        PolicyEntry.allow("filed.cn"),
        PolicyEntry.domain("unfiled.cn", DenyReason.NOT_FILED, "rule 7"),
        PolicyEntry.domain("held.cn", DenyReason.TAKEDOWN, "case 2026-123"));

    assertThat(e.decide("filed.cn").allowed()).isTrue();
    assertThat(e.decide("WWW.Filed.CN.").allowed()).isTrue();
    assertThat(e.decide("a.b.c.filed.cn").allowed()).isTrue();
    assertThat(e.decide("unfiled.cn")).isEqualTo(Decision.deny(DenyReason.NOT_FILED, "rule 7"));
    assertThat(e.decide("www.held.cn")).isEqualTo(Decision.deny(DenyReason.TAKEDOWN, "case 2026-123"));
    assertThat(e.decide("nobody.cn")).isEqualTo(Decision.NOT_REGISTERED);
    assertThat(e.decide("cn").allowed()).as("zone apex").isTrue();
    assertThat(e.decide("example.com").allowed()).as("outside managed zones").isTrue();
    assertThat(e.decide(".").allowed()).isTrue();
    assertThat(e.version()).isEqualTo(5);
    assertThat(e.size()).isEqualTo(3);
  }

  @Test
  void longestManagedZoneWins() {
    PolicyEngine e = engine(1, List.of("cn", "com.cn"),
        PolicyEntry.allow("example.com.cn"),
        PolicyEntry.allow("com.cn")); // a registration of "com" under cn must not leak below com.cn

    assertThat(e.decide("example.com.cn").allowed()).isTrue();
    assertThat(e.decide("www.example.com.cn").allowed()).isTrue();
    assertThat(e.decide("other.com.cn")).isEqualTo(Decision.NOT_REGISTERED);
    assertThat(e.decide("com.cn").allowed()).as("apex of com.cn").isTrue();
    assertThat(e.decide("other.cn")).isEqualTo(Decision.NOT_REGISTERED);
  }

  @Test
  void idnZonesAndNamesAreALabels() {
    PolicyEngine e = engine(1, List.of("xn--fiqs8s"),
        PolicyEntry.allow("xn--fsqu00a.xn--fiqs8s"));

    assertThat(e.decide("xn--fsqu00a.xn--fiqs8s").allowed()).isTrue();
    assertThat(e.decide("www.XN--FSQU00A.xn--fiqs8s").allowed()).isTrue();
    assertThat(e.decide("xn--fsqu00b.xn--fiqs8s")).isEqualTo(Decision.NOT_REGISTERED);
  }

  @Test
  void flagsDenyExactOrSubtreeAnywhere() {
    PolicyEngine e = engine(1, List.of("cn"),
        PolicyEntry.allow("filed.cn"),
        PolicyEntry.flag("bad.filed.cn", false, "case 9"),
        PolicyEntry.flag("evil.example.com", true, "case 10"),
        PolicyEntry.flag("filed.cn", false, "case 11"));

    assertThat(e.decide("bad.filed.cn")).isEqualTo(Decision.deny(DenyReason.FLAGGED, "case 9"));
    assertThat(e.decide("x.bad.filed.cn").allowed()).as("exact flag does not cover children").isTrue();
    assertThat(e.decide("filed.cn")).isEqualTo(Decision.deny(DenyReason.FLAGGED, "case 11"));
    assertThat(e.decide("www.filed.cn").allowed()).isTrue();
    assertThat(e.decide("evil.example.com")).isEqualTo(Decision.deny(DenyReason.FLAGGED, "case 10"));
    assertThat(e.decide("a.b.EVIL.example.com")).isEqualTo(Decision.deny(DenyReason.FLAGGED, "case 10"));
    assertThat(e.decide("notevil.example.com").allowed()).isTrue();
    assertThat(e.decide("example.com").allowed()).isTrue();
  }

  @Test
  void changesetsApplyInOrderAndGapsAreRefused() {
    PolicyEngine e = engine(10, List.of("cn"), PolicyEntry.allow("a.cn"));

    e.apply(changeset(11,
        new PolicyChange.Put(PolicyEntry.domain("a.cn", DenyReason.TAKEDOWN, "T-1")),
        new PolicyChange.Put(PolicyEntry.allow("b.cn")),
        new PolicyChange.AddZone("com.cn"),
        new PolicyChange.Put(PolicyEntry.allow("x.com.cn"))));
    assertThat(e.version()).isEqualTo(11);
    assertThat(e.decide("a.cn").reason()).isEqualTo(DenyReason.TAKEDOWN);
    assertThat(e.decide("b.cn").allowed()).isTrue();
    assertThat(e.decide("x.com.cn").allowed()).isTrue();
    assertThat(e.decide("y.com.cn")).isEqualTo(Decision.NOT_REGISTERED);

    e.apply(changeset(12, new PolicyChange.Remove(EntryKind.DOMAIN, "b.cn"), new PolicyChange.RemoveZone("com.cn")));
    assertThat(e.decide("b.cn")).isEqualTo(Decision.NOT_REGISTERED);
    assertThat(e.decide("y.com.cn")).as("com.cn no longer managed: com.cn is the registrable")
        .isEqualTo(Decision.NOT_REGISTERED);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.apply(changeset(14)))
        .isInstanceOf(VersionGapException.class);
    assertThat(e.version()).isEqualTo(12);
  }

  @Test
  void noPolicyIsFailClosedForManagedZonesUnlessConfiguredOpen() {
    PolicyEngine closed = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
    assertThat(closed.decide("anything.cn")).isEqualTo(Decision.NO_POLICY);
    assertThat(closed.decide("example.com").allowed()).isTrue();
    assertThat(closed.hasPolicy()).isFalse();
    assertThat(new PolicyEngine(FailMode.CLOSED, List.of()).decide("example.com")).isEqualTo(Decision.NO_POLICY);

    PolicyEngine open = new PolicyEngine(FailMode.OPEN, List.of("cn"));
    assertThat(open.decide("anything.cn").allowed()).isTrue();
  }

  @Test
  void manyNamesAcrossSegmentsSurviveSmallChangesets() {
    PolicyEngine e = new PolicyEngine();
    PolicyEngine.SnapshotLoader loader = e.beginSnapshot(1, List.of("cn"), 50_000);
    for (int i = 0; i < 50_000; i++) {
      loader.add(i % 2 == 0 ? PolicyEntry.allow("d" + i + ".cn") : PolicyEntry.domain("d" + i + ".cn",
          DenyReason.NOT_FILED, "r" + (i % 7)));
    }
    loader.install();
    e.apply(changeset(2, new PolicyChange.Put(PolicyEntry.domain("d0.cn", DenyReason.TAKEDOWN, "T"))));
    for (int i = 0; i < 50_000; i++) {
      Decision d = e.decide("d" + i + ".cn");
      if (i == 0) {
        assertThat(d.reason()).isEqualTo(DenyReason.TAKEDOWN);
      } else if (i % 2 == 0) {
        assertThat(d.allowed()).as("d%d", i).isTrue();
      } else {
        assertThat(d).isEqualTo(Decision.deny(DenyReason.NOT_FILED, "r" + (i % 7)));
      }
    }
    assertThat(e.size()).isEqualTo(50_000);
  }

  /**
   * Changesets large and small (puts, replacements, removals; the largest touch nearly every
   * segment, as a 100,000-domain takedown does) against a plain map: after each, every name ever
   * used gets the map's decision, and the size agrees. Protects the copy-on-write rebuild, which
   * finds the entries a changeset replaces by hash and name.
   */
  @Test
  void randomChangesetsAgreeWithAMap() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    int universe = 30_000;
    java.util.Map<String, Decision> model = new java.util.HashMap<>();
    PolicyEngine e = new PolicyEngine();
    PolicyEngine.SnapshotLoader loader = e.beginSnapshot(1, List.of("cn", "com.cn"), universe);
    for (int i = 0; i < universe; i += 2) {
      String n = name(i);
      loader.add(PolicyEntry.allow(n));
      model.put(n, Decision.ALLOW);
    }
    loader.install();
    for (int v = 2; v < 12; v++) {
      int size = v % 3 == 0 ? 20_000 : 1 + r.nextInt(50);
      java.util.Map<String, PolicyChange> changes = new java.util.LinkedHashMap<>();
      for (int k = 0; k < size; k++) {
        String n = name(r.nextInt(universe));
        int what = r.nextInt(3);
        changes.put(n, what == 0 ? new PolicyChange.Remove(EntryKind.DOMAIN, n)
            : new PolicyChange.Put(what == 1 ? PolicyEntry.allow(n)
                : PolicyEntry.domain(n, DenyReason.TAKEDOWN, "case " + r.nextInt(5))));
      }
      e.apply(changeset(v, changes.values().toArray(new PolicyChange[0])));
      for (PolicyChange c : changes.values()) {
        switch (c) {
          case PolicyChange.Remove rm -> model.remove(rm.name());
          case PolicyChange.Put put -> model.put(put.entry().name(), put.entry().decision());
          default -> throw new AssertionError(c);
        }
      }
      for (int i = 0; i < universe; i++) {
        String n = name(i);
        assertThat(e.decide(n)).as("%s after version %d", n, v).isEqualTo(model.getOrDefault(n, Decision.NOT_REGISTERED));
      }
      assertThat(e.size()).isEqualTo(model.size());
    }
  }

  private static String name(int i) {
    return "n" + i + (i % 3 == 0 ? ".com.cn" : ".cn");
  }

  @Test
  void viewExportsEveryEntry() throws Exception {
    PolicyEngine e = engine(3, List.of("cn"), PolicyEntry.allow("a.cn"), PolicyEntry.flag("x.org", true, "c"));
    List<String> seen = new ArrayList<>();
    e.view().forEachEntry((kind, name, d) -> seen.add(kind + " " + name + " " + d));
    assertThat(seen).containsExactlyInAnyOrder("DOMAIN a.cn ALLOW", "FLAG_SUBTREE x.org DENY FLAGGED c");
    assertThat(e.view().zones()).containsExactly("cn");
  }

  /**
   * Readers hammer decide() while changesets flip 10,000 names between allowed and denied. Each
   * reader samples names spread over the whole table and reads the version before and after its
   * pass; a pass within one version must find the sample all allowed or all denied. An engine
   * that wrote names one by one (and bumped the version at the end) fails this at once.
   */
  @Test
  void readersNeverSeeHalfAChangeset() throws Exception {
    int n = 10_000;
    PolicyEngine e = new PolicyEngine();
    PolicyEngine.SnapshotLoader loader = e.beginSnapshot(1, List.of("cn"), n + 100_000);
    for (int i = 0; i < n; i++) {
      loader.add(PolicyEntry.allow("flip" + i + ".cn"));
    }
    for (int i = 0; i < 100_000; i++) {
      loader.add(PolicyEntry.allow("still" + i + ".cn"));
    }
    loader.install();

    byte[][] sample = new byte[200][];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = org.xbill.DNS.Name.fromConstantString("www.flip" + (i * (n / sample.length)) + ".cn.")
          .toWireCanonical();
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> mixed = new AtomicReference<>();
    AtomicLong rounds = new AtomicLong();
    AtomicLong allDenied = new AtomicLong();
    AtomicLong allAllowed = new AtomicLong();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readers.add(Thread.ofPlatform().start(() -> {
        while (!stop.get() && mixed.get() == null) {
          long before = e.version();
          int denied = 0;
          for (byte[] q : sample) {
            if (e.decideWire(q, 0).denied()) {
              denied++;
            }
          }
          long after = e.version();
          if (before == after) {
            if (denied == 0) {
              allAllowed.incrementAndGet();
            } else if (denied == sample.length) {
              allDenied.incrementAndGet();
            } else {
              mixed.set(denied + " of " + sample.length + " denied at version " + before);
            }
          }
          rounds.incrementAndGet();
        }
      }));
    }
    // Let readers make a few passes in each state before the next flip (progress, not time).
    for (int v = 2; v <= 41; v++) {
      boolean deny = v % 2 == 0;
      List<PolicyChange> changes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        changes.add(new PolicyChange.Put(deny ? PolicyEntry.domain("flip" + i + ".cn", DenyReason.TAKEDOWN, "T")
            : PolicyEntry.allow("flip" + i + ".cn")));
      }
      long before = rounds.get();
      e.apply(new PolicyChangeset(v, changes, null, "flip"));
      while (rounds.get() < before + 4 && mixed.get() == null) {
        Thread.onSpinWait();
      }
    }
    stop.set(true);
    for (Thread t : readers) {
      t.join(Duration.ofSeconds(30));
    }
    assertThat(mixed.get()).as("a reader saw a partial changeset").isNull();
    assertThat(e.version()).isEqualTo(41);
    assertThat(allDenied.get()).as("passes that saw the denied state").isPositive();
    assertThat(allAllowed.get()).as("passes that saw the allowed state").isPositive();
  }
}
