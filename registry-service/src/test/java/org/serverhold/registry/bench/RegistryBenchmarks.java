package org.serverhold.registry.bench;

import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.GetPolicySnapshotRequest;
import org.serverhold.api.v1.PolicyServiceGrpc;
import org.serverhold.api.v1.PolicyUpdate;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.WatchPolicyRequest;
import org.serverhold.registry.testing.TestDomains;
import org.serverhold.registry.testing.TestRegistry;

/**
 * The registry's benchmarks, against the embedded MariaDB (or SERVERHOLD_TEST_DB_URL), through
 * real gRPC. Run with bench/registry.sh; each writes bench/results/NAME.json. Not unit tests:
 * nothing here asserts a timing.
 */
@Tag("benchmark")
class RegistryBenchmarks {
  static final int RUNS = 3;

  /** A takedown of a holder with 100,000 domains, from the RPC's call to its return. */
  @Test
  void takedown100k() {
    List<Double> seconds = new ArrayList<>();
    long peakHeapGrowth = 0;
    try (TestRegistry r = new TestRegistry()) {
      for (int run = 0; run < RUNS; run++) {
        var holder = TestDomains.bulk(r, "bench-" + run, person(5_000_000 + run), "td" + run, 100_000);
        System.gc();
        long heapBefore = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long t0 = System.nanoTime();
        var order = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid())
            .setDomain(holder.firstName()).setAuthority("bench").setCaseNumber("bench-" + run).setReason("benchmark").build());
        double s = (System.nanoTime() - t0) / 1e9;
        long heapAfter = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        peakHeapGrowth = Math.max(peakHeapGrowth, heapAfter - heapBefore);
        if (order.getDomainsSuspended() != 100_000) {
          throw new AssertionError("the takedown suspended " + order.getDomainsSuspended());
        }
        seconds.add(s);
        System.out.printf("takedown of 100,000 domains, run %d: %.3f s%n", run + 1, s);
      }
    }
    new BenchResults()
        .add("takedown_100k_seconds", BenchResults.median(seconds), "s", "< 5",
            "embedded MariaDB 11.4, 2 cores, median of " + RUNS + " runs " + seconds
                + "; one transaction incl. 100k holds, blacklist entry, one 100k-entry policy changeset, audit; "
                + "heap growth during the call <= " + peakHeapGrowth / (1024 * 1024) + " MiB")
        .write("takedown_100k");
  }

  /** A snapshot of 1,000,000 policy entries streamed through gRPC: time and bytes. */
  @Test
  void snapshot1m() {
    try (TestRegistry r = new TestRegistry()) {
      for (int h = 0; h < 10; h++) {
        TestDomains.bulk(r, "snap-" + h, person(6_000_000 + h), "s" + h, 100_000);
      }
      List<Double> seconds = new ArrayList<>();
      long bytes = 0;
      long entries = 0;
      var stub = TestRegistry.as(PolicyServiceGrpc.newBlockingStub(r.channel), r.resolver)
          .withDeadlineAfter(10, TimeUnit.MINUTES);
      for (int run = 0; run < RUNS; run++) {
        long t0 = System.nanoTime();
        bytes = 0;
        entries = 0;
        var chunks = stub.getPolicySnapshot(GetPolicySnapshotRequest.getDefaultInstance());
        while (chunks.hasNext()) {
          var c = chunks.next();
          bytes += c.getSerializedSize();
          entries += c.getEntriesCount();
        }
        seconds.add((System.nanoTime() - t0) / 1e9);
      }
      if (entries < 1_000_000) {
        throw new AssertionError("snapshot had " + entries + " entries");
      }
      new BenchResults()
          .add("snapshot_1m_seconds", BenchResults.median(seconds), "s", null,
              entries + " entries, embedded MariaDB 11.4, client in the same JVM, median of " + RUNS + " runs " + seconds)
          .add("snapshot_1m_bytes", bytes, "bytes", null, "serialized chunk bytes for " + entries + " entries")
          .write("snapshot_1m");
    }
  }

  /** From a takedown RPC's return to the changeset's arrival at each of 100 subscribers. */
  @Test
  void propagation100Subscribers() throws Exception {
    int subscribers = 100;
    int takedowns = 30;
    try (TestRegistry r = new TestRegistry()) {
      List<TestDomains.BulkHolder> holders = new ArrayList<>();
      for (int i = 0; i < takedowns; i++) {
        holders.add(TestDomains.bulk(r, "prop-" + i, person(7_000_000 + i), "p" + i, 20));
      }
      ConcurrentHashMap<Long, List<Long>> arrivals = new ConcurrentHashMap<>();
      List<Context.CancellableContext> streams = new ArrayList<>();
      CountDownLatch subscribed = new CountDownLatch(subscribers);
      long head = r.registry.feed.latest();
      for (int s = 0; s < subscribers; s++) {
        var ctx = Context.current().withCancellation();
        streams.add(ctx);
        var stub = TestRegistry.as(PolicyServiceGrpc.newStub(r.channel), r.resolver).withDeadline(null);
        int id = s;
        ctx.run(() -> stub.watchPolicy(WatchPolicyRequest.newBuilder().setFromVersion(head).setResolverId("bench-" + id).build(),
            new StreamObserver<PolicyUpdate>() {
              @Override
              public void onNext(PolicyUpdate u) {
                if (u.hasChangeset() && u.getChangeset().getLastPart()) {
                  arrivals.computeIfAbsent(u.getChangeset().getVersion(), v -> java.util.Collections.synchronizedList(new ArrayList<>()))
                      .add(System.nanoTime());
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            }));
        subscribed.countDown();
      }
      subscribed.await();
      Thread.sleep(1000); // let every stream reach the server before measuring
      List<Double> latencies = new ArrayList<>();
      for (var h : holders) {
        long t0;
        var order = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid())
            .setDomain(h.firstName()).setAuthority("bench").setCaseNumber("prop").setReason("benchmark").build());
        t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + 10_000;
        while (arrivals.getOrDefault(order.getPolicyVersion(), List.of()).size() < subscribers
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(1);
        }
        for (long t : new ArrayList<>(arrivals.getOrDefault(order.getPolicyVersion(), List.of()))) {
          latencies.add(Math.max(0, t - t0) / 1e6);
        }
        Thread.sleep(50);
      }
      streams.forEach(c -> c.cancel(null));
      if (latencies.size() < subscribers * takedowns * 0.99) {
        throw new AssertionError("only " + latencies.size() + " arrivals");
      }
      new BenchResults()
          .add("propagation_p50_ms", BenchResults.percentile(latencies, 50), "ms", null,
              subscribers + " subscribers x " + takedowns + " takedowns, from the RPC's return; same machine, same JVM")
          .add("propagation_p99_ms", BenchResults.percentile(latencies, 99), "ms", "< 25",
              subscribers + " subscribers x " + takedowns + " takedowns (" + latencies.size() + " arrivals)")
          .write("propagation");
    }
  }
}
