package org.serverhold.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.EntryKind;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RevokeFilingRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.registry.testing.FeedSubscriber;
import org.serverhold.registry.testing.TestDomains;
import org.serverhold.registry.testing.TestRegistry;

/** The policy feed through real gRPC: ordering under concurrent writers, whole changesets, resumption, resync. */
class PolicyFeedTest {
  TestRegistry r;

  @BeforeEach
  void start() {
    r = new TestRegistry();
  }

  @AfterEach
  void stop() {
    r.close();
  }

  /** The committed version, read from the database (the feed's own view may lag by a poll). */
  long head() {
    return r.db.dsl().select(org.serverhold.registry.schema.Tables.POLICY_HEAD.VERSION)
        .from(org.serverhold.registry.schema.Tables.POLICY_HEAD).fetchSingle().value1();
  }

  /**
   * Protects gap-free, commit-ordered versions: four kinds of writers run at once while a
   * subscriber watches; it must see every version exactly once in order, and end equal to a
   * fresh snapshot.
   */
  @Test
  void concurrentWritersGiveConsecutiveVersionsAndTheSubscriberEndsEqualToASnapshot() throws Exception {
    try (FeedSubscriber sub = new FeedSubscriber(r, 0)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> work = new ArrayList<>();
      work.add(pool.submit(() -> {
        for (int i = 0; i < 25; i++) {
          r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid())
              .setDomain("w-a-" + i + ".cn").setRegistrant(registrant("wa" + i % 3, person(100 + i % 3))).setYears(1).build());
        }
        return null;
      }));
      work.add(pool.submit(() -> {
        for (int i = 0; i < 25; i++) {
          r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
              .setFiling(filing("京ICP备200000" + String.format("%02d", i) + "号-1", "w-a-" + i + ".cn", "w-b-" + i + ".cn")).build());
          if (i % 5 == 4) {
            r.filing(r.filingAuthority).revokeFiling(RevokeFilingRequest.newBuilder().setRequestId(rid())
                .setFilingNumber("京ICP备200000" + String.format("%02d", i) + "号-1").setReason("expired").build());
          }
        }
        return null;
      }));
      work.add(pool.submit(() -> {
        for (int i = 0; i < 25; i++) {
          r.registrar(r.registrarB).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid())
              .setDomain("w-b-" + i + ".cn").setRegistrant(registrant("wb" + i, person(200 + i))).setYears(1).build());
          if (i % 6 == 5) {
            r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain("w-b-" + i + ".cn")
                .setAuthority("bureau").setCaseNumber("c" + i).setReason("test").build());
          }
        }
        return null;
      }));
      work.add(pool.submit(() -> {
        for (int i = 0; i < 15; i++) {
          r.enforcement(r.regulator).flagDomain(FlagDomainRequest.newBuilder().setRequestId(rid())
              .setName("flagged-" + i + ".example.com").setScope(i % 2 == 0 ? FlagScope.EXACT : FlagScope.SUBTREE)
              .setAuthority("bureau").setCaseNumber("f" + i).setReason("test").build());
        }
        return null;
      }));
      for (Future<?> f : work) {
        f.get();
      }
      pool.shutdown();
      long target = head();
      assertThat(sub.awaitVersion(target, 30_000)).as("subscriber reached %d, has %d", target, sub.version()).isTrue();
      assertThat(sub.problems()).isEmpty();
      var versions = sub.changesets().stream().map(c -> c.getVersion()).toList();
      assertThat(versions).hasSize((int) target);
      for (int i = 0; i < versions.size(); i++) {
        assertThat(versions.get(i)).isEqualTo(i + 1L);
      }
      var snapshot = FeedSubscriber.snapshot(r);
      assertThat(snapshot.version()).isEqualTo(target);
      assertThat(sub.entries()).isEqualTo(snapshot.entries());
      assertThat(sub.zones()).isEqualTo(snapshot.zones()).contains("cn", "xn--fiqs8s");
      assertThat(snapshot.entries().values()).anyMatch(e -> e.getReason() == DenyReason.DENY_TAKEDOWN);
      assertThat(snapshot.entries().values()).anyMatch(e -> e.getKind() == EntryKind.FLAG_SUBTREE);
    }
  }

  /** Protects "never half a change": a takedown of a holder with thousands of domains is one version, its parts in order. */
  @Test
  void aLargeTakedownArrivesAsOneChangesetInParts() throws Exception {
    var holder = TestDomains.bulk(r, "bulk-holder", person(31337), "bulk", 12_000);
    try (FeedSubscriber sub = new FeedSubscriber(r, 0)) {
      assertThat(sub.awaitVersion(head(), 30_000)).isTrue();
      long before = sub.version();
      var order = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid())
          .setDomain(holder.firstName()).setAuthority("bureau").setCaseNumber("big-1").setReason("test").build());
      assertThat(order.getDomainsSuspended()).isEqualTo(12_000);
      assertThat(sub.awaitVersion(before + 1, 60_000)).isTrue();
      assertThat(sub.problems()).isEmpty();
      var changeset = sub.changesets().getLast();
      assertThat(changeset.getVersion()).isEqualTo(order.getPolicyVersion());
      assertThat(changeset.getChangesList()).hasSize(12_000)
          .allMatch(c -> c.getPut().getReason() == DenyReason.DENY_TAKEDOWN);
    }
  }

  /** Protects resumption: a subscriber that drops and resumes from its version misses nothing and sees nothing twice. */
  @Test
  void aResumedSubscriberMissesNothing() throws Exception {
    FeedSubscriber first = new FeedSubscriber(r, 0);
    for (int i = 0; i < 5; i++) {
      register("resume-" + i + ".cn", i);
    }
    assertThat(first.awaitVersion(head(), 30_000)).isTrue();
    first.close();
    for (int i = 5; i < 12; i++) {
      register("resume-" + i + ".cn", i);
    }
    try (FeedSubscriber resumed = FeedSubscriber.resume(r, first)) {
      assertThat(resumed.awaitVersion(head(), 30_000)).isTrue();
      assertThat(resumed.problems()).isEmpty();
      assertThat(resumed.entries()).isEqualTo(FeedSubscriber.snapshot(r).entries());
    }
  }

  /** Protects against a silent hole: a subscriber older than the retained log is told to resync. */
  @Test
  void aSubscriberBehindTheRetainedLogIsToldToResync() throws Exception {
    for (int i = 0; i < 6; i++) {
      register("old-" + i + ".cn", i);
    }
    r.registry.feed.poke();
    int pruned = new PolicyRetention(r.db, java.time.Clock.offset(java.time.Clock.systemUTC(), java.time.Duration.ofDays(30)),
        2, java.time.Duration.ofDays(7)).pruneOnce();
    assertThat(pruned).isPositive();
    try (FeedSubscriber sub = new FeedSubscriber(r, 0)) {
      assertThat(sub.awaitResync(10_000)).isTrue();
    }
  }

  void register(String name, int i) {
    try {
      r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
          .setRegistrant(registrant("res" + i, person(400 + i))).setYears(1).build());
    } catch (StatusRuntimeException e) {
      throw new AssertionError(e);
    }
  }
}
