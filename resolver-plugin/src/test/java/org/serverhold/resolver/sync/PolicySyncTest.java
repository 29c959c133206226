package org.serverhold.resolver.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.resolver.testing.TestPolicyService.allow;
import static org.serverhold.resolver.testing.TestPolicyService.deny;
import static org.serverhold.resolver.testing.TestPolicyService.put;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.testing.TestPolicyService;

class PolicySyncTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  private TestPolicyService registry(long version) throws Exception {
    TestPolicyService s = new TestPolicyService(version, "cn");
    closing.add(s);
    return s;
  }

  private PolicySync sync(TestPolicyService registry, PolicyEngine engine, Path file) {
    SyncConfig config = SyncConfig.insecure(registry.target(), "gw-test", file)
        .withBackoff(Duration.ofMillis(5), Duration.ofMillis(100)).withToken("s3cret");
    PolicySync sync = new PolicySync(config, engine);
    closing.add(sync);
    return sync;
  }

  private static PolicyEngine engine() {
    return new PolicyEngine(FailMode.CLOSED, List.of("cn"));
  }

  @Test
  void snapshotThenWatchAppliesChangesetsAndAcknowledges() throws Exception {
    TestPolicyService registry = registry(5).start();
    registry.seed(allow("a.cn"), allow("b.cn"), deny("c.cn", DenyReason.DENY_NOT_FILED, "rule 1"), allow("d.cn"),
        allow("e.cn"));
    PolicyEngine engine = engine();
    PolicySync sync = sync(registry, engine, null);
    sync.start();
    assertThat(engine.awaitVersion(5, WAIT)).isTrue();
    assertThat(engine.size()).isEqualTo(5);
    assertThat(engine.decide("c.cn")).isEqualTo(Decision.deny(
        org.serverhold.resolver.policy.DenyReason.NOT_FILED, "rule 1"));

    registry.commit(10, put(deny("a.cn", DenyReason.DENY_TAKEDOWN, "case 1")));
    registry.commit(1, put(allow("x.cn")), put(allow("y.cn")), put(allow("z.cn"))); // three parts
    assertThat(engine.awaitVersion(7, WAIT)).isTrue();
    assertThat(engine.decide("a.cn").reason()).isEqualTo(org.serverhold.resolver.policy.DenyReason.TAKEDOWN);
    assertThat(engine.decide("z.cn").allowed()).isTrue();
    assertThat(registry.watchFrom.poll(20, TimeUnit.SECONDS)).isEqualTo(5);
    long acked;
    do {
      acked = registry.acks.poll(20, TimeUnit.SECONDS);
    } while (acked < 7);
    assertThat(acked).isEqualTo(7);
    assertThat(registry.authorizations).isNotEmpty().allMatch("Bearer s3cret"::equals);
    assertThat(sync.versionsBehind()).isZero();
    assertThat(sync.lastChangesetLag()).isPresent();
  }

  @Test
  void aSplitChangesetIsAppliedOnlyWhole() throws Exception {
    TestPolicyService registry = registry(1).start();
    registry.seed(allow("a.cn"));
    long v = registry.commit(1, put(allow("p0.cn")), put(allow("p1.cn")));
    // The first watch gets only part 0 of changeset 2, then the stream breaks.
    registry.scriptNextWatch(PolicyUpdate.newBuilder().setChangeset(registry.parts(v).get(0)).build());
    PolicyEngine engine = engine();
    java.util.concurrent.BlockingQueue<String> seenAtPublish = new java.util.concurrent.LinkedBlockingQueue<>();
    engine.addVersionListener(version -> seenAtPublish.add(version + ":" + engine.decide("p0.cn").allowed() + ","
        + engine.decide("p1.cn").allowed()));
    // Snapshot at version 1: the registry's version is 2 already, so serve a snapshot from before.
    PolicyEngine.SnapshotLoader l = engine.beginSnapshot(1, List.of("cn"), 1);
    l.add(org.serverhold.resolver.policy.PolicyEntry.allow("a.cn"));
    l.install();
    seenAtPublish.clear();

    sync(registry, engine, null).start();
    // Each published version is recorded with what readers saw then: p0 and p1 arrive together.
    assertThat(seenAtPublish.poll(20, TimeUnit.SECONDS)).isEqualTo("2:true,true");
    // The torn stream did not move the engine: the reconnect asked again from version 1.
    assertThat(registry.watchFrom.poll(20, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(registry.watchFrom.poll(20, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(seenAtPublish).isEmpty();
    assertThat(registry.snapshotsServed.get()).isZero();
  }

  @Test
  void aVersionGapLeadsToAFreshSnapshot() throws Exception {
    TestPolicyService registry = registry(3).start();
    registry.seed(allow("a.cn"));
    PolicyEngine engine = engine();
    PolicySync sync = sync(registry, engine, null);
    sync.start();
    assertThat(engine.awaitVersion(3, WAIT)).isTrue();
    registry.commitSilently(put(allow("lost.cn"))); // 4: never streamed
    registry.commit(10, put(allow("after.cn"))); // 5: arrives after a gap
    assertThat(engine.awaitVersion(5, WAIT)).isTrue();
    assertThat(engine.decide("lost.cn").allowed()).as("recovered through the snapshot").isTrue();
    assertThat(engine.decide("after.cn").allowed()).isTrue();
    assertThat(registry.snapshotsServed.get()).isEqualTo(2);
    assertThat(sync.snapshotsTaken()).isEqualTo(2);
  }

  @Test
  void aResyncLeadsToAFreshSnapshot() throws Exception {
    TestPolicyService registry = registry(3).start();
    registry.seed(allow("a.cn"));
    registry.scriptNextWatch(TestPolicyService.resync());
    PolicyEngine engine = engine();
    PolicySync sync = sync(registry, engine, null);
    sync.start();
    assertThat(engine.awaitVersion(3, WAIT)).isTrue();
    // The first watch is answered with a Resync, so version 4 can only come after a new snapshot.
    registry.commit(10, put(allow("b.cn")));
    assertThat(engine.awaitVersion(4, WAIT)).isTrue();
    assertThat(engine.decide("b.cn").allowed()).isTrue();
    assertThat(registry.snapshotsServed.get()).isEqualTo(2);
  }

  @Test
  void reconnectsAfterTheRegistryRestartsAndResumesFromItsVersion() throws Exception {
    TestPolicyService registry = registry(1).start();
    registry.seed(allow("a.cn"));
    PolicyEngine engine = engine();
    PolicySync sync = sync(registry, engine, null);
    sync.start();
    assertThat(engine.awaitVersion(1, WAIT)).isTrue();
    registry.commit(10, put(allow("b.cn")));
    assertThat(engine.awaitVersion(2, WAIT)).isTrue();
    assertThat(registry.watchFrom.take()).isEqualTo(1);

    registry.stop();
    assertThat(engine.decide("b.cn").allowed()).as("still serving while the registry is down").isTrue();
    registry.commit(10, put(deny("b.cn", DenyReason.DENY_TAKEDOWN, "case 3"))); // committed while we are away
    registry.start();

    assertThat(engine.awaitVersion(3, WAIT)).isTrue();
    assertThat(engine.decide("b.cn").reason()).isEqualTo(org.serverhold.resolver.policy.DenyReason.TAKEDOWN);
    assertThat(registry.watchFrom).contains(2L);
    assertThat(registry.snapshotsServed.get()).as("resumed, not re-snapshotted").isEqualTo(1);
  }

  @Test
  void aRestartWithTheRegistryDownServesThePersistedPolicyAtOnce() throws Exception {
    Path file = dir.resolve("state/policy.bin");
    TestPolicyService registry = registry(8).start();
    registry.seed(allow("a.cn"), deny("held.cn", DenyReason.DENY_HOLDER_BLACKLISTED, "H-1"));
    registry.seed(org.serverhold.api.v1.PolicyEntry.newBuilder().setKind(org.serverhold.api.v1.EntryKind.FLAG_SUBTREE)
        .setName("bad.example").setReason(DenyReason.DENY_FLAGGED).setReference("F-9").build());
    PolicyEngine engine = engine();
    PolicySync first = sync(registry, engine, file);
    first.start();
    assertThat(engine.awaitVersion(8, WAIT)).isTrue();
    registry.commit(10, put(allow("new.cn")));
    assertThat(engine.awaitVersion(9, WAIT)).isTrue();
    assertThat(first.awaitPersisted(9, WAIT)).isTrue();
    first.close();
    registry.stop();

    PolicyEngine restarted = engine();
    PolicySync second = sync(registry, restarted, file);
    second.start();
    // No waiting: start() returns with the persisted policy in place.
    assertThat(restarted.version()).isEqualTo(9);
    assertThat(restarted.decide("new.cn").allowed()).isTrue();
    assertThat(restarted.decide("held.cn")).isEqualTo(Decision.deny(
        org.serverhold.resolver.policy.DenyReason.HOLDER_BLACKLISTED, "H-1"));
    assertThat(restarted.decide("www.bad.example").reason())
        .isEqualTo(org.serverhold.resolver.policy.DenyReason.FLAGGED);
    assertThat(restarted.decide("nobody.cn")).isEqualTo(Decision.NOT_REGISTERED);
    assertThat(second.connected()).isFalse();
    assertThat(Files.list(file.getParent())).as("no temporary files left").containsExactly(file);
  }

  @Test
  void aCorruptPolicyFileIsIgnoredAndTheEngineStaysFailClosed() throws Exception {
    Path file = dir.resolve("policy.bin");
    Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
    TestPolicyService registry = registry(1); // never started: unreachable
    PolicyEngine engine = engine();
    PolicySync sync = new PolicySync(SyncConfig.insecure("127.0.0.1:1", "gw", file)
        .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50)), engine);
    closing.add(sync);
    sync.start();
    assertThat(engine.hasPolicy()).isFalse();
    assertThat(engine.decide("anything.cn")).isEqualTo(Decision.NO_POLICY);
    assertThat(engine.decide("example.com").allowed()).isTrue();
    assertThat(registry.snapshotsServed.get()).isZero();
  }

  @Test
  void policyFileRoundTripsAndRejectsTruncation() throws Exception {
    PolicyEngine engine = engine();
    PolicyEngine.SnapshotLoader l = engine.beginSnapshot(42, List.of("cn", "com.cn"), 3);
    l.add(org.serverhold.resolver.policy.PolicyEntry.allow("a.cn"));
    l.add(org.serverhold.resolver.policy.PolicyEntry.domain("b.com.cn",
        org.serverhold.resolver.policy.DenyReason.TAKEDOWN, "T-1 \"quoted\" 例"));
    l.add(org.serverhold.resolver.policy.PolicyEntry.flag("x.org", false, "F"));
    l.install();
    PolicyFile file = new PolicyFile(dir.resolve("p.bin"));
    file.write(engine.view());

    PolicyEngine loaded = engine();
    assertThat(file.loadInto(loaded)).contains(42L);
    assertThat(loaded.zones()).containsExactly("cn", "com.cn");
    assertThat(loaded.decide("b.com.cn").reference()).isEqualTo("T-1 \"quoted\" 例");
    assertThat(loaded.decide("x.org").reason()).isEqualTo(org.serverhold.resolver.policy.DenyReason.FLAGGED);
    assertThat(loaded.size()).isEqualTo(3);

    byte[] bytes = Files.readAllBytes(file.path());
    Files.write(file.path(), java.util.Arrays.copyOf(bytes, bytes.length - 3));
    PolicyEngine torn = engine();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> file.loadInto(torn))
        .isInstanceOf(java.io.IOException.class);
    assertThat(torn.hasPolicy()).isFalse();
  }
}
