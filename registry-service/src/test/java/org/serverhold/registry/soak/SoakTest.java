package org.serverhold.registry.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;
import static org.serverhold.registry.testing.Fixtures.errorInfo;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.bench.BenchResults;
import org.serverhold.registry.testing.FeedSubscriber;
import org.serverhold.registry.testing.TestRegistry;

/**
 * A bounded soak: 50 registrar clients (half at registrar A, half at B, each with a credential,
 * handles and holders of its own) register and check names through real gRPC while a bureau
 * takes down live domains (cascading to their holders), the filing system upserts filings, flags
 * are added, and a feed subscriber watches. 60 s by default; {@code -Dsoak.seconds=600} for
 * longer; {@code -Dsoak.record=true} writes bench/results/soak.json.
 *
 * <p>Protects, under sustained concurrent load: (1) no call fails other than by an expected
 * refusal (HOLDER_BLACKLISTED, DOMAIN_TAKEN, DOMAIN_FLAGGED, DOMAIN_HELD): a deadlock not
 * retried, a pool exhausted, a lock wait timeout or a race turning into INTERNAL shows up as an
 * unexpected error and fails it; (2) every acknowledged registration is in the database afterwards
 * (a commit acknowledged before it was durable, or an idempotency claim answering without the
 * write, fails it); (3) no live domain of a blacklisted holder lacks a takedown or blacklist hold
 * (the holder lock of TakedownRaceTest, under load; without it a registration racing a takedown
 * slips through and the SQL count is non-zero); (4) the subscriber, having applied every
 * changeset, equals a fresh snapshot (a lost, doubled, reordered or partial changeset makes them
 * differ). Throughput and p99 latency are measured and printed, never asserted.
 */
class SoakTest {
  static final int CLIENTS = 50;
  static final Set<String> EXPECTED_REFUSALS = Set.of("HOLDER_BLACKLISTED", "DOMAIN_TAKEN", "DOMAIN_FLAGGED", "DOMAIN_HELD");

  /** One acknowledged registration, and whose holder it was. */
  record Acked(String name, String registrar, String holderKey) {}

  final ConcurrentHashMap<String, AtomicInteger> unexpected = new ConcurrentHashMap<>();
  final List<String> unexpectedSamples = new CopyOnWriteArrayList<>();
  final ConcurrentHashMap<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
  final List<Acked> acked = java.util.Collections.synchronizedList(new ArrayList<>());
  final Set<String> takenDownHolders = ConcurrentHashMap.newKeySet();
  final AtomicInteger flagsIssued = new AtomicInteger();
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong refused = new AtomicLong();

  @Test
  void fiftyRegistrarsUnderTakedownsAndFilingsKeepEveryRule() throws Exception {
    int seconds = Integer.getInteger("soak.seconds", 60);
    try (TestRegistry r = new TestRegistry();
        FeedSubscriber subscriber = new FeedSubscriber(r, 0)) {
      List<String> tokens = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        String registrar = c % 2 == 0 ? "reg-a" : "reg-b";
        tokens.add(r.registry.credentials.createToken(Principal.system("soak"), "soak-client-" + c, Role.REGISTRAR,
            registrar, List.of(), "soak client").token());
      }
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 3);
      CountDownLatch go = new CountDownLatch(1);
      long[][] latencies = new long[CLIENTS][];
      List<Future<?>> clients = new ArrayList<>();
      long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(pool.submit(() -> {
          go.await();
          latencies[client] = new Client(r, client, tokens.get(client)).run(endAt);
          return null;
        }));
      }
      List<Future<?>> background = List.of(
          pool.submit(() -> { background(go, endAt, () -> takedownOne(r), 250); return null; }),
          pool.submit(() -> { background(go, endAt, new Filer(r)::upsertOne, 100); return null; }),
          pool.submit(() -> { background(go, endAt, () -> flagOne(r), 1000); return null; }));
      long t0 = System.nanoTime();
      go.countDown();
      for (Future<?> f : clients) {
        f.get();
      }
      double elapsed = (System.nanoTime() - t0) / 1e9;
      for (Future<?> f : background) {
        f.get();
      }
      pool.shutdown();

      long calls = succeeded.get() + refused.get();
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
      double p99 = all.length == 0 ? 0 : all[(int) Math.ceil(0.99 * all.length) - 1] / 1e6;
      double p50 = all.length == 0 ? 0 : all[(int) Math.ceil(0.50 * all.length) - 1] / 1e6;
      double rps = calls / elapsed;
      System.out.printf("SOAK %d s, %d clients: %d calls (%d ok, %d refused %s), %.1f calls/s, p50 %.2f ms,"
          + " p99 %.2f ms; %d registrations acknowledged, %d holders taken down, %d flags; unexpected %s%n",
          seconds, CLIENTS, calls, succeeded.get(), refused.get(), refusals, rps, p50, p99, acked.size(),
          takenDownHolders.size(), flagsIssued.get(), unexpected);

      // (1) nothing but the expected refusals.
      assertThat(unexpected).as("unexpected failures, e.g. %s", unexpectedSamples).isEmpty();
      assertThat(acked).as("the soak registered something").isNotEmpty();
      assertThat(takenDownHolders).as("the soak took something down").isNotEmpty();

      // (2) every acknowledged registration is there, at its registrar.
      Map<String, String> stored = new HashMap<>();
      r.db.dsl().select(DOMAIN.ACTIVE_NAME, DOMAIN.REGISTRAR_ID).from(DOMAIN).where(DOMAIN.ACTIVE_NAME.isNotNull())
          .forEach(row -> stored.put(row.value1(), row.value2()));
      List<String> missing = acked.stream().filter(a -> !a.registrar().equals(stored.get(a.name()))).map(Acked::name)
          .toList();
      assertThat(missing).as("acknowledged registrations missing afterwards").isEmpty();

      // (3) no live domain of a blacklisted holder without a takedown or blacklist hold.
      int unheld = r.db.dsl().fetchOne("""
          select count(*) from domain d
          where d.active_name is not null
            and exists (select 1 from blacklist_entry b where b.holder_id = d.holder_id and b.lifted_at is null
                        and (b.expires_at is null or b.expires_at > utc_timestamp(6)))
            and not exists (select 1 from domain_hold h where h.domain_id = d.id and h.released_at is null
                            and h.reason in ('TAKEDOWN', 'TAKEDOWN_CASCADE', 'HOLDER_BLACKLISTED'))
          """).get(0, Integer.class);
      assertThat(unheld).as("live, unheld domains of blacklisted holders").isZero();

      // (4) the subscriber applied every version once and equals a fresh snapshot.
      long head = r.db.dsl().select(POLICY_HEAD.VERSION).from(POLICY_HEAD).fetchSingle(POLICY_HEAD.VERSION);
      assertThat(subscriber.awaitVersion(head, 120_000)).as("subscriber at %d of %d", subscriber.version(), head).isTrue();
      assertThat(subscriber.problems()).isEmpty();
      var snapshot = FeedSubscriber.snapshot(r);
      assertThat(snapshot.version()).isEqualTo(head);
      assertThat(subscriber.entries()).isEqualTo(snapshot.entries());
      assertThat(subscriber.zones()).isEqualTo(snapshot.zones());

      if (Boolean.getBoolean("soak.record")) {
        String notes = seconds + " s, " + CLIENTS + " registrar clients (25 at each of 2 registrars, one credential each;"
            + " ~60% register, ~30% check, ~5% taken names, ~5% flagged names) + takedowns every 250 ms, filing upserts"
            + " every 100 ms, a flag a second, one feed subscriber; " + calls + " calls, " + acked.size()
            + " registrations acknowledged; one run; " + machine();
        new BenchResults()
            .add("soak_throughput_rps", rps, "calls/s", null, "successful + refused registrar calls per second; " + notes)
            .add("soak_p99_ms", p99, "ms", null, "p99 of registrar calls (RegisterDomain, CheckRegistration), p50 "
                + String.format("%.2f", p50) + " ms; " + notes)
            .write("soak");
      }
    }
  }

  /** One registrar client: mostly registers names for its current holder, sometimes checks or collides. */
  final class Client {
    final TestRegistry r;
    final int id;
    final String registrar;
    final RegistrarServiceGrpc.RegistrarServiceBlockingStub stub;
    int holderSeq;
    int registeredForHolder;
    int nameSeq;
    long[] latencies = new long[4096];
    int count;

    Client(TestRegistry r, int id, String token) {
      this.r = r;
      this.id = id;
      this.registrar = id % 2 == 0 ? "reg-a" : "reg-b";
      this.stub = TestRegistry.as(RegistrarServiceGrpc.newBlockingStub(r.channel), token);
    }

    long[] run(long endAt) {
      while (System.nanoTime() < endAt) {
        int dice = ThreadLocalRandom.current().nextInt(100);
        long t0 = System.nanoTime();
        try {
          if (dice < 60) {
            register("s" + id + "-" + nameSeq++ + ".cn");
          } else if (dice < 90) {
            stub.withDeadlineAfter(60, TimeUnit.SECONDS).checkRegistration(CheckRegistrationRequest.newBuilder()
                .setDomain(someName()).setRegistrant(registrant(handle(), person(holderNumber()))).build());
            succeeded.incrementAndGet();
          } else if (dice < 95 && !acked.isEmpty()) {
            register(randomAcked().name());
          } else {
            register("soakflag-" + ThreadLocalRandom.current().nextInt(Math.max(1, flagsIssued.get())) + ".cn");
          }
        } finally {
          record(System.nanoTime() - t0);
        }
      }
      return Arrays.copyOf(latencies, count);
    }

    void register(String name) {
      try {
        stub.withDeadlineAfter(60, TimeUnit.SECONDS).registerDomain(RegisterDomainRequest.newBuilder()
            .setRequestId(rid()).setDomain(name).setRegistrant(registrant(handle(), person(holderNumber())))
            .setYears(1).build());
        succeeded.incrementAndGet();
        acked.add(new Acked(name, registrar, holderKey()));
        if (++registeredForHolder >= 20) {
          nextHolder();
        }
      } catch (StatusRuntimeException e) {
        String reason = errorInfo(e).map(x -> x.getReason()).orElse(e.getStatus().getCode().name());
        if (EXPECTED_REFUSALS.contains(reason)) {
          refused.incrementAndGet();
          refusals.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
          if (reason.equals("HOLDER_BLACKLISTED")) {
            nextHolder(); // this holder was taken down: the client's next customer
          }
        } else {
          unexpected(reason, e);
        }
      }
    }

    String someName() {
      int pick = ThreadLocalRandom.current().nextInt(3);
      if (pick == 0 && !acked.isEmpty()) {
        return randomAcked().name();
      }
      return "s" + id + "-" + (nameSeq + pick) + ".cn";
    }

    void nextHolder() {
      holderSeq++;
      registeredForHolder = 0;
    }

    String handle() {
      return "soak-" + id + "-" + holderSeq;
    }

    long holderNumber() {
      return 30_000_000_000L + id * 100_000L + holderSeq;
    }

    String holderKey() {
      return id + "/" + holderSeq;
    }

    void record(long nanos) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
    }
  }

  /** Takes down one live domain of a holder not yet taken down. */
  void takedownOne(TestRegistry r) {
    if (acked.isEmpty()) {
      return;
    }
    Acked target = randomAcked();
    if (!takenDownHolders.add(target.holderKey())) {
      return;
    }
    try {
      r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain(target.name())
          .setAuthority("bureau").setCaseNumber("soak-" + takenDownHolders.size()).setReason("soak").build());
    } catch (StatusRuntimeException e) {
      unexpected("takedown " + errorInfo(e).map(x -> x.getReason()).orElse(e.getStatus().getCode().name()), e);
    }
  }

  /** Files acknowledged names: new filings, and now and then an existing filing again with one more name. */
  final class Filer {
    final TestRegistry r;
    final List<List<String>> filings = new ArrayList<>();
    int next;

    Filer(TestRegistry r) {
      this.r = r;
    }

    void upsertOne() {
      int available = acked.size();
      if (next >= available) {
        return;
      }
      List<String> names = new ArrayList<>();
      boolean again = !filings.isEmpty() && ThreadLocalRandom.current().nextInt(4) == 0;
      int index = again ? ThreadLocalRandom.current().nextInt(filings.size()) : filings.size();
      if (again) {
        names.addAll(filings.get(index));
      }
      for (int i = 0; i < (again ? 1 : 5) && next < available; i++) {
        names.add(acked.get(next++).name());
      }
      try {
        r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
            .setFiling(filing(String.format("京ICP备5%07d号-1", index), names.toArray(String[]::new))).build());
        if (again) {
          filings.set(index, names);
        } else {
          filings.add(names);
        }
      } catch (StatusRuntimeException e) {
        unexpected("filing " + errorInfo(e).map(x -> x.getReason()).orElse(e.getStatus().getCode().name()), e);
      }
    }
  }

  /** Flags the next soakflag-N.cn, a name clients then try to register. */
  void flagOne(TestRegistry r) {
    int n = flagsIssued.get();
    try {
      r.enforcement(r.regulator).flagDomain(FlagDomainRequest.newBuilder().setRequestId(rid())
          .setName("soakflag-" + n + ".cn").setScope(FlagScope.EXACT).setAuthority("bureau").setCaseNumber("soak-f" + n)
          .setReason("soak").build());
      flagsIssued.incrementAndGet();
    } catch (StatusRuntimeException e) {
      unexpected("flag " + errorInfo(e).map(x -> x.getReason()).orElse(e.getStatus().getCode().name()), e);
    }
  }

  Acked randomAcked() {
    synchronized (acked) {
      return acked.get(ThreadLocalRandom.current().nextInt(acked.size()));
    }
  }

  void background(CountDownLatch go, long endAt, Runnable work, long everyMillis) throws InterruptedException {
    go.await();
    while (System.nanoTime() < endAt) {
      work.run();
      Thread.sleep(everyMillis);
    }
  }

  void unexpected(String what, StatusRuntimeException e) {
    unexpected.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    if (unexpectedSamples.size() < 10) {
      unexpectedSamples.add(what + ": " + e.getStatus());
    }
  }

  static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
    } catch (java.io.IOException e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), shared and noisy; embedded MariaDB 11.4;"
        + " clients, registry and database on the same machine, clients and registry in one JVM";
  }
}
