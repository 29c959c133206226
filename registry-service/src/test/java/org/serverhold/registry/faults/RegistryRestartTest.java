package org.serverhold.registry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.Changeset;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.testing.FeedSubscriber;
import org.serverhold.registry.testing.TestDatabases;
import org.serverhold.registry.testing.TestRegistry;

/**
 * The registry process restarts under a feed subscriber.
 *
 * <p>Protects resumption across a restart: registry replicas keep no feed state of their own, so
 * a subscriber that lost its stream when the registry stopped resumes from its last applied
 * version against a new registry (new process, new pool, new port) and gets exactly the
 * changesets it has not applied: none missing, none twice, in order, each whole, ending equal to
 * a fresh snapshot. If the feed numbered versions per process, kept its log only in memory, or a
 * restart re-published (or skipped) changesets, the concatenated version list would have a gap or
 * a repeat, FeedSubscriber would record a problem, or its state would differ from the snapshot.
 */
class RegistryRestartTest {

  @Test
  void aSubscriberResumesAcrossARegistryRestartWithNothingLostOrDoubled() throws Exception {
    Path dataDir = Files.createTempDirectory("serverhold-restart");
    HolderKeys keys = new HolderKeys(HolderKeys.newKey(), HolderKeys.newKey());
    Database firstDb = TestDatabases.fresh(dataDir);
    Database secondDb = null;
    TestRegistry second = null;
    try {
      TestRegistry first = TestRegistry.over(firstDb, keys);
      String resolverToken = first.resolver; // stored in the database: it outlives the process
      int firstPort = first.server.port();
      FeedSubscriber before = new FeedSubscriber(first.channel, resolverToken, 0);
      writes(first, 0, 12);
      assertThat(before.awaitVersion(head(firstDb), 30_000)).isTrue();
      writes(first, 12, 16); // committed just before the stop: the subscriber may or may not have them yet

      // The registry process goes away (its server, feed, jobs and pool); the database stays.
      first.close();
      secondDb = TestDatabases.reopen(firstDb, dataDir);
      firstDb.close();
      assertThat(awaitError(before)).as("the first stream ended with the server").isTrue();
      long resumeFrom = before.version();
      before.close();

      // A new registry on the same database, on another port, takes writes before the subscriber is back.
      second = TestRegistry.over(secondDb, keys);
      assertThat(second.server.port()).isNotEqualTo(firstPort);
      writes(second, 16, 30);
      try (FeedSubscriber after = FeedSubscriber.resume(second.channel, resolverToken, before)) {
        writes(second, 30, 40); // and more while it watches
        long head = head(secondDb);
        assertThat(after.awaitVersion(head, 30_000)).as("resumed subscriber at %d of %d", after.version(), head).isTrue();

        assertThat(before.problems()).isEmpty();
        assertThat(after.problems()).isEmpty();
        List<Long> versions = new ArrayList<>();
        before.changesets().forEach(c -> versions.add(c.getVersion()));
        after.changesets().forEach(c -> versions.add(c.getVersion()));
        assertThat(versions).as("every version once, in order, across the restart")
            .containsExactlyElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
        assertThat(after.changesets().getFirst().getVersion()).isEqualTo(resumeFrom + 1);

        var snapshot = FeedSubscriber.snapshot(second.channel, resolverToken);
        assertThat(snapshot.version()).isEqualTo(head);
        assertThat(after.entries()).isEqualTo(snapshot.entries());
        assertThat(after.zones()).isEqualTo(snapshot.zones());
        // The writes of both registries are in it: registrations, filings, takedowns, flags.
        assertThat(snapshot.entries()).containsKeys("DOMAIN r-0.cn", "DOMAIN r-39.cn", "FLAG_EXACT flag-3.example.com");
        assertThat(snapshot.entries().values()).anyMatch(e -> e.getReason() == DenyReason.DENY_TAKEDOWN);
        assertThat(after.changesets().stream().mapToLong(Changeset::getChangesCount).sum()).isPositive();
      }
    } finally {
      if (second != null) {
        second.close();
      }
      Database open = secondDb != null ? secondDb : firstDb;
      TestDatabases.drop(open);
      open.close();
    }
  }

  /** Registrations (both registrars), filings covering them, a takedown every 7th, a flag every 5th. */
  static void writes(TestRegistry r, int from, int to) {
    for (int i = from; i < to; i++) {
      String name = "r-" + i + ".cn";
      r.registrar(i % 2 == 0 ? r.registrarA : r.registrarB).registerDomain(RegisterDomainRequest.newBuilder()
          .setRequestId(rid()).setDomain(name).setRegistrant(registrant("restart-" + i, person(990_000 + i)))
          .setYears(1).build());
      r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
          .setFiling(filing(String.format("京ICP备31%06d号-1", i), name)).build());
      if (i % 7 == 6) {
        r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain(name)
            .setAuthority("bureau").setCaseNumber("restart-" + i).setReason("restart test").build());
      }
      if (i % 5 == 3) {
        r.enforcement(r.regulator).flagDomain(FlagDomainRequest.newBuilder().setRequestId(rid())
            .setName("flag-" + i + ".example.com").setScope(FlagScope.EXACT).setAuthority("bureau")
            .setCaseNumber("f" + i).setReason("restart test").build());
      }
    }
  }

  static long head(Database db) {
    return db.dsl().select(POLICY_HEAD.VERSION).from(POLICY_HEAD).fetchSingle(POLICY_HEAD.VERSION);
  }

  static boolean awaitError(FeedSubscriber s) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (s.error() == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    return s.error() != null;
  }
}
