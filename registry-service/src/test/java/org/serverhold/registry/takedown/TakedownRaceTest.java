package org.serverhold.registry.takedown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.testing.Fixtures.errorInfo;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.registry.schema.enums.DomainHoldReason;
import org.serverhold.registry.testing.TestRegistry;

/**
 * Protects the rule that no race lets a blacklisted holder keep or gain a live, unheld domain:
 * many registrations for one holder race one takedown of that holder, through real gRPC, and
 * every registration must either fail with HOLDER_BLACKLISTED or end up held by the order.
 * Without the holder row lock (shared for registrations, exclusive for the takedown) a
 * registration that read "not blacklisted" could commit after the cascade and stay unheld.
 */
class TakedownRaceTest {
  static TestRegistry r;

  @BeforeAll
  static void start() {
    r = new TestRegistry();
  }

  @AfterAll
  static void stop() {
    r.close();
  }

  @Test
  void registrationsRacingATakedownFailOrEndUpHeld() throws Exception {
    int rounds = 6;
    int registrars = 12;
    int attemptsEach = 6;
    ExecutorService pool = Executors.newFixedThreadPool(registrars + 1);
    try {
      for (int round = 0; round < rounds; round++) {
        RegistrantIdentity holder = person(700_000 + round);
        String target = "race" + round + "-target.cn";
        r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(target)
            .setRegistrant(registrant("race-" + round, holder)).setYears(1).build());
        CyclicBarrier start = new CyclicBarrier(registrars + 1);
        AtomicInteger refused = new AtomicInteger();
        List<String> registered = java.util.Collections.synchronizedList(new ArrayList<>());
        ConcurrentHashMap<String, Integer> unexpected = new ConcurrentHashMap<>();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < registrars; t++) {
          int thread = t;
          int currentRound = round;
          work.add(pool.submit(() -> {
            start.await();
            for (int i = 0; i < attemptsEach; i++) {
              String name = "race" + currentRound + "-" + thread + "-" + i + ".cn";
              String token = thread % 2 == 0 ? r.registrarA : r.registrarB;
              try {
                r.registrar(token).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
                    .setRegistrant(registrant("racer-" + currentRound + "-" + thread, holder)).setYears(1).build());
                registered.add(name);
              } catch (StatusRuntimeException e) {
                String reason = errorInfo(e).map(x -> x.getReason()).orElse(e.getStatus().getCode().name());
                if (reason.equals("HOLDER_BLACKLISTED")) {
                  refused.incrementAndGet();
                } else {
                  unexpected.merge(reason, 1, Integer::sum);
                }
              }
            }
            return null;
          }));
        }
        int takedownRound = round;
        work.add(pool.submit(() -> {
          start.await();
          r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain(target)
              .setAuthority("bureau").setCaseNumber("race-" + takedownRound).setReason("race").build());
          return null;
        }));
        for (Future<?> f : work) {
          f.get();
        }
        assertThat(unexpected).as("only HOLDER_BLACKLISTED refusals are expected").isEmpty();
        assertThat(registered.size() + refused.get()).isEqualTo(registrars * attemptsEach);
        // The invariant, read straight from the database: every live domain of the holder is held by a takedown.
        long holderId = r.db.dsl().select(DOMAIN.HOLDER_ID).from(DOMAIN).where(DOMAIN.ACTIVE_NAME.eq(target))
            .fetchSingle(DOMAIN.HOLDER_ID);
        int unheld = r.db.dsl().fetchCount(DOMAIN, DOMAIN.HOLDER_ID.eq(holderId), DOMAIN.ACTIVE_NAME.isNotNull(),
            DSL.notExists(DSL.selectOne().from(DOMAIN_HOLD).where(DOMAIN_HOLD.DOMAIN_ID.eq(DOMAIN.ID),
                DOMAIN_HOLD.RELEASED_AT.isNull(),
                DOMAIN_HOLD.REASON.in(DomainHoldReason.TAKEDOWN, DomainHoldReason.TAKEDOWN_CASCADE))));
        assertThat(unheld).as("live domains of the blacklisted holder without a takedown hold (round %d)", round).isZero();
        assertThat(r.db.dsl().fetchCount(DOMAIN, DOMAIN.HOLDER_ID.eq(holderId), DOMAIN.ACTIVE_NAME.isNotNull()))
            .isEqualTo(1 + registered.size());
        assertThat(r.db.dsl().select(HOLDER.OFFENCE_COUNT).from(HOLDER).where(HOLDER.ID.eq(holderId)).fetchSingle(HOLDER.OFFENCE_COUNT))
            .isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
