package org.serverhold.registry.takedown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.AckPolicyRequest;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.CheckHolderRequest;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.GetTakedownRequest;
import org.serverhold.api.v1.HoldReason;
import org.serverhold.api.v1.ListFlagsRequest;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.testing.MutableClock;
import org.serverhold.registry.testing.TestRegistry;

/** Deadlines and expiries, with a clock the test moves. */
class GraceAndExpiryTest {
  final MutableClock clock = new MutableClock(Instant.now());
  TestRegistry r;

  @AfterEach
  void stop() {
    r.close();
  }

  Domain register(String name, String handle, int person) {
    return r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
        .setRegistrant(registrant(handle, person(person))).setYears(1).build());
  }

  boolean cascaded(String name) {
    return r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain(name).build()).getHoldsList().stream()
        .anyMatch(h -> h.getReason() == HoldReason.HOLD_TAKEDOWN_CASCADE);
  }

  /** Protects the grace policy: others are held only when the period ends, unless the holder passed enhanced verification. */
  @Test
  void underGraceTheCascadeWaitsForTheDeadlineAndSparesAVerifiedHolder() {
    r = new TestRegistry(clock, new CascadePolicy(CascadePolicy.Mode.GRACE, Duration.ofDays(7), 3));
    register("g-target.cn", "g1", 1);
    register("g-other.cn", "g1", 1);
    register("v-target.cn", "v1", 2);
    register("v-other.cn", "v1", 2);
    var unverified = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid())
        .setDomain("g-target.cn").setAuthority("cnnic").setCaseNumber("g").setReason("abuse").build());
    r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid())
        .setDomain("v-target.cn").setAuthority("cnnic").setCaseNumber("v").setReason("abuse").build());
    assertThat(unverified.hasCascadeDeadline()).isTrue();
    assertThat(unverified.getHolderBlacklisted()).isTrue();
    assertThat(cascaded("g-other.cn")).isFalse();

    clock.advance(Duration.ofDays(1));
    r.registrar(r.registrarA).verifyRegistrant(VerifyRegistrantRequest.newBuilder().setRequestId(rid())
        .setRegistrantHandle("v1").setEvidenceRef("enhanced check").setEnhanced(true).build());
    assertThat(r.registry.graceCascade.runOnce()).isZero(); // not due yet

    clock.advance(Duration.ofDays(7));
    assertThat(r.registry.graceCascade.runOnce()).isEqualTo(2);
    assertThat(cascaded("g-other.cn")).isTrue();
    assertThat(cascaded("v-other.cn")).isFalse();
    var settled = r.enforcement(r.regulator).getTakedown(GetTakedownRequest.newBuilder()
        .setTakedownId(unverified.getTakedownId()).build());
    assertThat(settled.getDomainsSuspended()).isEqualTo(2);
  }

  /** Protects "block until": blacklist entries and flags lift themselves when they expire, and the holds go with them. */
  @Test
  void expiredEntriesAndFlagsLiftThemselves() {
    r = new TestRegistry(clock, CascadePolicy.immediate());
    register("exp.cn", "e1", 3);
    Instant until = clock.instant().plus(Duration.ofDays(30));
    Timestamp expires = Timestamp.newBuilder().setSeconds(until.getEpochSecond()).build();
    r.enforcement(r.regulator).addToBlacklist(AddToBlacklistRequest.newBuilder().setRequestId(rid()).setIdentity(person(3))
        .setReason("temporary").setCaseNumber("t-1").setAuthority("bureau").setExpires(expires).build());
    r.enforcement(r.regulator).flagDomain(FlagDomainRequest.newBuilder().setRequestId(rid()).setName("temp.example.com")
        .setScope(FlagScope.EXACT).setAuthority("bureau").setCaseNumber("t-2").setReason("temporary").setExpires(expires).build());
    assertThat(r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain("exp.cn").build()).getHoldsList())
        .extracting(h -> h.getReason()).contains(HoldReason.HOLD_HOLDER_BLACKLISTED);
    assertThat(r.registry.expiry.runOnce()).isZero();

    clock.advance(Duration.ofDays(31));
    assertThat(r.registry.expiry.runOnce()).isEqualTo(2);
    assertThat(r.enforcement(r.regulator).checkHolder(CheckHolderRequest.newBuilder().setIdentity(person(3)).build())
        .getBlacklisted()).isFalse();
    assertThat(r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain("exp.cn").build()).getHoldsList())
        .extracting(h -> h.getReason()).doesNotContain(HoldReason.HOLD_HOLDER_BLACKLISTED);
    assertThat(r.enforcement(r.regulator).listFlags(ListFlagsRequest.getDefaultInstance()).getFlagsList()).isEmpty();
    assertThat(r.db.dsl().fetchCount(org.serverhold.registry.schema.Tables.AUDIT_EVENT,
        org.serverhold.registry.schema.Tables.AUDIT_EVENT.ACTION.in("blacklist.expire", "flag.expire"))).isEqualTo(2);
  }

  /** Protects confirmed enforcement: a takedown shows how many subscribed resolvers applied its policy version. */
  @Test
  void aTakedownShowsWhichResolversHaveAppliedIt() {
    r = new TestRegistry(clock, CascadePolicy.immediate());
    register("ack.cn", "a1", 4);
    var policy = r.policy(r.resolver);
    policy.ackPolicy(AckPolicyRequest.newBuilder().setResolverId("gw-1").setAppliedVersion(0).build());
    policy.ackPolicy(AckPolicyRequest.newBuilder().setResolverId("gw-2").setAppliedVersion(0).build());
    var order = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain("ack.cn")
        .setAuthority("bureau").setCaseNumber("a").setReason("ack").build());
    r.registry.feed.poke();
    var before = r.enforcement(r.regulator).getTakedown(GetTakedownRequest.newBuilder().setTakedownId(order.getTakedownId()).build());
    assertThat(before.getResolversPending()).isEqualTo(2);
    awaitFeed(order.getPolicyVersion());
    policy.ackPolicy(AckPolicyRequest.newBuilder().setResolverId("gw-1").setAppliedVersion(order.getPolicyVersion()).build());
    var after = r.enforcement(r.regulator).getTakedown(GetTakedownRequest.newBuilder().setTakedownId(order.getTakedownId()).build());
    assertThat(after.getResolversApplied()).isEqualTo(1);
    assertThat(after.getResolversPending()).isEqualTo(1);
  }

  void awaitFeed(long version) {
    try {
      r.registry.feed.awaitAbove(version - 1, 5_000);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
