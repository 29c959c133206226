package org.serverhold.resolver.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The domain table trusts a key match; these force what random hashes almost never produce: names
 * sharing a key, duplicates, ids beyond the slot's 16 bits. Names in the policy must still get
 * exactly their own decision.
 */
class SegmentTest {
  private static byte[] wire(String name) {
    return WireNames.fromText(name);
  }

  private static int lookup(Segment s, long hash, String name) {
    byte[] q = wire(name);
    return s.lookup(hash, q, 0, q.length);
  }

  @Test
  void namesSharingAKeyAreToldApartByName() {
    long h = 0x1234_5678_9abc_def0L;
    Segment.Builder b = new Segment.Builder(4, 64, Segment.DENSE, false);
    for (String n : List.of("a.cn", "b.cn", "c.cn")) {
      byte[] w = wire(n);
      b.add(h, w, 0, w.length, n.charAt(0) - 'a' + 1);
    }
    Segment s = b.build();
    assertThat(lookup(s, h, "a.cn")).isEqualTo(1);
    assertThat(lookup(s, h, "B.CN")).isEqualTo(2);
    assertThat(lookup(s, h, "c.cn")).isEqualTo(3);
    // An absent name with the same key: never another name's decision.
    assertThat(lookup(s, h, "d.cn")).isEqualTo(-1);
  }

  @Test
  void duplicatesKeepTheLastAndEnumerateOnce() {
    long h = 42;
    Segment.Builder b = new Segment.Builder(3, 64, Segment.DENSE, false);
    byte[] a = wire("a.cn");
    byte[] other = wire("z.cn");
    b.add(h, a, 0, a.length, 1);
    b.add(h, other, 0, other.length, 7);
    b.add(h, a, 0, a.length, 2);
    Segment s = b.build();
    assertThat(lookup(s, h, "a.cn")).isEqualTo(2);
    assertThat(lookup(s, h, "z.cn")).isEqualTo(7);
    List<String> seen = new ArrayList<>();
    s.forEach((arena, off, len, id) -> seen.add(WireNames.toText(arena, off, len) + "=" + id));
    assertThat(seen).containsExactlyInAnyOrder("a.cn=2", "z.cn=7");
  }

  @Test
  void idsBeyondSixteenBitsAreEscaped() {
    Segment.Builder b = new Segment.Builder(2, 64, Segment.DENSE, false);
    byte[] a = wire("a.cn");
    byte[] c = wire("c.cn");
    b.add(WireNames.hash(a, 0, a.length), a, 0, a.length, 70_000);
    b.add(WireNames.hash(c, 0, c.length), c, 0, c.length, Segment.ESCAPE);
    Segment s = b.build();
    assertThat(lookup(s, WireNames.hash(a, 0, a.length), "a.cn")).isEqualTo(70_000);
    assertThat(lookup(s, WireNames.hash(c, 0, c.length), "c.cn")).isEqualTo(Segment.ESCAPE);
  }

  @Test
  void exactModeConfirmsEveryMatch() {
    long h = 99;
    Segment.Builder b = new Segment.Builder(1, 64, Segment.SPARSE, true);
    byte[] a = wire("a.cn");
    b.add(h, a, 0, a.length, 5);
    Segment s = b.build();
    assertThat(lookup(s, h, "a.cn")).isEqualTo(5);
    assertThat(lookup(s, h, "b.cn")).isEqualTo(-1);
  }

  @Test
  void engineWithMoreDecisionsThanTheSlotHolds() {
    PolicyEngine e = new PolicyEngine();
    PolicyEngine.SnapshotLoader l = e.beginSnapshot(1, List.of("cn"), 70_000);
    for (int i = 0; i < 70_000; i++) {
      l.add(PolicyEntry.domain("d" + i + ".cn", DenyReason.TAKEDOWN, "case " + i));
    }
    l.install();
    for (int i = 0; i < 70_000; i += 997) {
      assertThat(e.decide("d" + i + ".cn")).isEqualTo(Decision.deny(DenyReason.TAKEDOWN, "case " + i));
    }
    assertThat(e.decide("d69999.cn")).isEqualTo(Decision.deny(DenyReason.TAKEDOWN, "case 69999"));
    assertThat(e.decide("nope.cn")).isEqualTo(Decision.NOT_REGISTERED);
  }

  @Test
  void deepNamesStillMeetFlagsAddedLater() {
    PolicyEngine e = new PolicyEngine();
    PolicyEngine.SnapshotLoader l = e.beginSnapshot(1, List.of("cn"), 1);
    l.add(PolicyEntry.allow("a.cn"));
    l.install();
    assertThat(e.decide("x.y.z.a.cn").allowed()).isTrue();
    assertThat(e.decide("x.y.z.b.cn")).isEqualTo(Decision.NOT_REGISTERED);
    e.apply(new PolicyChangeset(2,
        List.of(new PolicyChange.Put(PolicyEntry.flag("y.z.a.cn", true, "deep"))), null, "test"));
    assertThat(e.decide("x.y.z.a.cn").denied()).isTrue();
    assertThat(e.decide("z.a.cn").allowed()).isTrue();
  }
}
