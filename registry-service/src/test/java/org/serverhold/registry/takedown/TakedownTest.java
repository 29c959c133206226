package org.serverhold.registry.takedown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.testing.Fixtures.errorInfo;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.CheckHolderRequest;
import org.serverhold.api.v1.DeleteDomainRequest;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.FlagDomainRequest;
import org.serverhold.api.v1.FlagScope;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.GetTakedownReportRequest;
import org.serverhold.api.v1.HoldReason;
import org.serverhold.api.v1.LiftTakedownRequest;
import org.serverhold.api.v1.ListTakedownsRequest;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.TakedownState;
import org.serverhold.api.v1.TransferDomainRequest;
import org.serverhold.api.v1.UnflagDomainRequest;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.RefusalReason;
import org.serverhold.registry.testing.TestRegistry;

/** Takedowns end to end: the cascade across registrars, the report, appeals, flags. */
class TakedownTest {
  static TestRegistry r;

  @BeforeAll
  static void start() {
    r = new TestRegistry();
  }

  @AfterAll
  static void stop() {
    r.close();
  }

  static Domain register(String token, String name, String handle, RegistrantIdentity id) {
    return r.registrar(token).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
        .setRegistrant(registrant(handle, id)).setYears(1).build());
  }

  static org.serverhold.api.v1.Takedown takedown(String name, String caseNumber) {
    return r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain(name)
        .setAuthority("北京市公安局网安总队").setCaseNumber(caseNumber).setReason("illegal gambling").build());
  }

  static Domain getA(String name) {
    return r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain(name).build());
  }

  static Domain getB(String name) {
    return r.registrar(r.registrarB).getDomain(GetDomainRequest.newBuilder().setDomain(name).build());
  }

  @Test
  void oneOrderSuspendsEveryDomainOfTheHolderAtEveryRegistrarAndReportsThem() {
    RegistrantIdentity holder = person(1000);
    register(r.registrarA, "casino-a.cn", "h1-a", holder);
    register(r.registrarA, "casino-a2.com.cn", "h1-a-other-handle", holder);
    register(r.registrarB, "casino-b.net.cn", "h1-b", holder);
    register(r.registrarB, "bystander.cn", "other", person(1001));

    var order = takedown("casino-a.cn", "2026-京-001");
    assertThat(order.getDomainsSuspended()).isEqualTo(3);
    assertThat(order.getCascadeCount()).isEqualTo(2);
    assertThat(order.getHolderBlacklisted()).isTrue();
    assertThat(order.getState()).isEqualTo(TakedownState.IN_FORCE);

    assertThat(getA("casino-a.cn").getHoldsList()).extracting(h -> h.getReason()).contains(HoldReason.HOLD_TAKEDOWN);
    assertThat(getA("casino-a2.com.cn").getHoldsList()).extracting(h -> h.getReason()).contains(HoldReason.HOLD_TAKEDOWN_CASCADE);
    assertThat(getB("casino-b.net.cn").getHoldsList()).extracting(h -> h.getReason()).contains(HoldReason.HOLD_TAKEDOWN_CASCADE);
    assertThat(getB("bystander.cn").getHoldsList()).extracting(h -> h.getReason())
        .doesNotContain(HoldReason.HOLD_TAKEDOWN, HoldReason.HOLD_TAKEDOWN_CASCADE);

    var report = r.enforcement(r.regulator).getTakedownReport(GetTakedownReportRequest.newBuilder()
        .setTakedownId(order.getTakedownId()).build());
    assertThat(report.getHolder().getNumber()).isEqualTo(holder.getNumber()); // a regulator sees it in full
    assertThat(report.getDomainsList()).extracting(d -> d.getDomain() + "@" + d.getRegistrarId())
        .containsExactlyInAnyOrder("casino-a.cn@reg-a", "casino-a2.com.cn@reg-a", "casino-b.net.cn@reg-b");

    // the holder can register nothing, anywhere
    assertThatThrownBy(() -> register(r.registrarB, "new-casino.cn", "fresh-handle", holder))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("HOLDER_BLACKLISTED"));
    // held domains cannot be moved away or deleted
    assertThatThrownBy(() -> r.registrar(r.registrarA).transferDomain(TransferDomainRequest.newBuilder()
        .setRequestId(rid()).setDomain("casino-a2.com.cn").setNewRegistrant(registrant("straw", person(1002))).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("DOMAIN_HELD"));
    assertThatThrownBy(() -> r.registrar(r.registrarB).deleteDomain(DeleteDomainRequest.newBuilder().setRequestId(rid())
        .setDomain("casino-b.net.cn").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("DOMAIN_HELD"));
  }

  @Test
  void liftingOneOrderReleasesOnlyItsOwnHolds() {
    RegistrantIdentity holder = person(2000);
    register(r.registrarA, "twice-1.cn", "h2", holder);
    register(r.registrarA, "twice-2.cn", "h2", holder);
    var first = takedown("twice-1.cn", "case-A");
    var second = takedown("twice-2.cn", "case-B");
    assertThat(second.getTakedownId()).isNotEqualTo(first.getTakedownId());

    var lifted = r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(first.getTakedownId()).setAuthority("北京市第一中级人民法院").setReason("appeal granted").build());
    assertThat(lifted.getState()).isEqualTo(TakedownState.LIFTED);
    assertThat(lifted.getLiftReason()).isEqualTo("appeal granted");
    assertThat(lifted.getHolderBlacklisted()).isTrue(); // the second order still stands
    assertThat(getA("twice-1.cn").getResolvable()).isFalse();
    assertThat(getA("twice-1.cn").getHoldsList()).extracting(h -> h.getReason()).containsOnly(
        HoldReason.HOLD_TAKEDOWN_CASCADE, HoldReason.HOLD_IDENTITY_UNVERIFIED, HoldReason.HOLD_NOT_FILED);

    r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(second.getTakedownId()).setAuthority("court").setReason("appeal granted").build());
    assertThat(getA("twice-1.cn").getHoldsList()).extracting(h -> h.getReason())
        .doesNotContain(HoldReason.HOLD_TAKEDOWN, HoldReason.HOLD_TAKEDOWN_CASCADE);
    assertThat(r.enforcement(r.regulator).checkHolder(CheckHolderRequest.newBuilder().setIdentity(holder).build())
        .getBlacklisted()).isFalse();
    assertThatThrownBy(() -> r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(second.getTakedownId()).setAuthority("court").setReason("again").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("TAKEDOWN_NOT_IN_FORCE"));
  }

  @Test
  void aManualEntryKeepsTheHolderBlacklistedAfterTheLift() {
    RegistrantIdentity holder = person(3000);
    register(r.registrarA, "manual-1.cn", "h3", holder);
    var order = takedown("manual-1.cn", "case-M");
    r.enforcement(r.regulator).addToBlacklist(AddToBlacklistRequest.newBuilder().setRequestId(rid()).setIdentity(holder)
        .setReason("fraud").setCaseNumber("case-M2").setAuthority("bureau").build());
    var lifted = r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(order.getTakedownId()).setAuthority("court").setReason("appeal").build());
    assertThat(lifted.getHolderBlacklisted()).isTrue();
    assertThat(getA("manual-1.cn").getHoldsList()).extracting(h -> h.getReason())
        .contains(HoldReason.HOLD_HOLDER_BLACKLISTED).doesNotContain(HoldReason.HOLD_TAKEDOWN);
  }

  @Test
  void aTakedownOfANameNotRegisteredHerePointsToFlagging() {
    assertThatThrownBy(() -> takedown("nobody-has-this.cn", "case-X"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("FlagDomain");
        });
  }

  @Test
  void theSameRequestIdIsOneOrder() {
    register(r.registrarA, "idem.cn", "h4", person(4000));
    var request = TakedownRequest.newBuilder().setRequestId("td-idem-1").setDomain("idem.cn").setAuthority("bureau")
        .setCaseNumber("case-I").setReason("phishing").build();
    var first = r.enforcement(r.regulator).takedown(request);
    var again = r.enforcement(r.regulator).takedown(request);
    assertThat(again.getTakedownId()).isEqualTo(first.getTakedownId());
    var mine = r.enforcement(r.regulator).listTakedowns(ListTakedownsRequest.newBuilder().setAuthority("bureau").build());
    assertThat(mine.getTakedownsList()).filteredOn(t -> t.getDomain().equals("idem.cn")).hasSize(1);
  }

  @Test
  void flagsRefuseNamesAndWholeSubtrees() {
    r.enforcement(r.regulator).flagDomain(FlagDomainRequest.newBuilder().setRequestId(rid()).setName("evil.cn")
        .setScope(FlagScope.SUBTREE).setAuthority("bureau").setCaseNumber("case-F").setReason("malware").build());
    var check = r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder().setDomain("evil.cn")
        .setRegistrant(registrant("f", person(5000))).build());
    assertThat(check.getReasonsList()).contains(RefusalReason.DOMAIN_FLAGGED);
    r.enforcement(r.regulator).unflagDomain(UnflagDomainRequest.newBuilder().setRequestId(rid()).setName("evil.cn")
        .setScope(FlagScope.SUBTREE).setReason("cleaned").build());
    check = r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder().setDomain("evil.cn")
        .setRegistrant(registrant("f", person(5000))).build());
    assertThat(check.getAllowed()).isTrue();
  }
}
