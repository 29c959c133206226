package org.serverhold.registry.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.testing.Fixtures.errorInfo;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.DeleteDomainRequest;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.HoldReason;
import org.serverhold.api.v1.ListDomainsRequest;
import org.serverhold.api.v1.RefusalReason;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.Registrant;
import org.serverhold.api.v1.TransferDomainRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.testing.TestRegistry;

/** The registrars' API end to end: real gRPC on a real port, a real database. */
class RegistrarServiceTest {
  static TestRegistry r;

  @BeforeAll
  static void start() {
    r = new TestRegistry();
  }

  @AfterAll
  static void stop() {
    r.close();
  }

  static Domain register(String token, String name, Registrant registrant) {
    return r.registrar(token).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
        .setRegistrant(registrant).setYears(1).build());
  }

  @Test
  void registersAHeldUnfiledDomainThatResolvesOnceVerifiedAndFiled() {
    Domain d = register(r.registrarA, "example1.cn", registrant("c-1", person(1)));
    assertThat(d.getName()).isEqualTo("example1.cn");
    assertThat(d.getHoldsList()).extracting(h -> h.getReason())
        .containsExactlyInAnyOrder(HoldReason.HOLD_IDENTITY_UNVERIFIED, HoldReason.HOLD_NOT_FILED);
    assertThat(d.getResolvable()).isFalse();

    r.registrar(r.registrarA).verifyRegistrant(VerifyRegistrantRequest.newBuilder().setRequestId(rid())
        .setRegistrantHandle("c-1").setEvidenceRef("counter 3, file 2026-11-001").build());
    r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
        .setFiling(filing("京ICP备10000001号-1", "example1.cn")).build());

    Domain after = r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain("EXAMPLE1.cn.").build());
    assertThat(after.getHoldsList()).isEmpty();
    assertThat(after.getFilingNumber()).isEqualTo("京ICP备10000001号-1");
    assertThat(after.getResolvable()).isTrue();
  }

  @Test
  void idnNamesAreOneNameInEitherForm() {
    Domain d = register(r.registrarA, "例子.中国", registrant("c-idn", person(2)));
    assertThat(d.getName()).isEqualTo("xn--fsqu00a.xn--fiqs8s");
    assertThat(d.getUnicodeName()).isEqualTo("例子.中国");
    var check = r.registrar(r.registrarB).checkRegistration(CheckRegistrationRequest.newBuilder()
        .setDomain("xn--fsqu00a.xn--fiqs8s").setRegistrant(registrant("x", person(3))).build());
    assertThat(check.getAllowed()).isFalse();
    assertThat(check.getReasonsList()).containsExactly(RefusalReason.DOMAIN_TAKEN);
    assertThat(r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain("例子。中国").build()).getName())
        .isEqualTo("xn--fsqu00a.xn--fiqs8s");
  }

  @Test
  void checkReportsEveryRefusal() {
    var check = r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder()
        .setDomain("a.b.example.cn").setRegistrant(registrant("c-x", person(4))).build());
    assertThat(check.getReasonsList()).containsExactly(RefusalReason.NOT_REGISTRABLE);
    check = r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder()
        .setDomain("example.com").setRegistrant(registrant("c-x", person(4))).build());
    assertThat(check.getReasonsList()).containsExactly(RefusalReason.ZONE_NOT_MANAGED);
    check = r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder()
        .setDomain("bad_name.cn").setRegistrant(registrant("c-x", person(4))).build());
    assertThat(check.getReasonsList()).containsExactly(RefusalReason.NAME_INVALID);
    check = r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder()
        .setDomain("fresh-name.com.cn").setRegistrant(registrant("c-x", person(4))).build());
    assertThat(check.getAllowed()).isTrue();
    assertThat(check.getHoldsOnCreateList())
        .containsExactlyInAnyOrder(HoldReason.HOLD_IDENTITY_UNVERIFIED, HoldReason.HOLD_NOT_FILED);
  }

  @Test
  void aBlacklistedHolderIsRefusedAtEveryRegistrarAndCannotReceiveATransfer() {
    r.enforcement(r.regulator).addToBlacklist(AddToBlacklistRequest.newBuilder().setRequestId(rid())
        .setIdentity(person(50)).setReason("fraud site").setCaseNumber("2026-001").setAuthority("京公网安").build());
    for (String token : new String[] {r.registrarA, r.registrarB}) {
      assertThatThrownBy(() -> register(token, "blacklisted-" + Integer.toHexString(token.hashCode()) + ".cn", registrant("bad", person(50))))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("HOLDER_BLACKLISTED");
          });
    }
    register(r.registrarA, "to-transfer.cn", registrant("good-50", person(51)));
    assertThatThrownBy(() -> r.registrar(r.registrarA).transferDomain(TransferDomainRequest.newBuilder()
        .setRequestId(rid()).setDomain("to-transfer.cn").setNewRegistrant(registrant("bad-50", person(50))).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(errorInfo(e).orElseThrow().getReason()).isEqualTo("HOLDER_BLACKLISTED"));
  }

  @Test
  void replayingARequestIdReturnsTheFirstResultAndChangesNothing() {
    var request = RegisterDomainRequest.newBuilder().setRequestId("replay-1").setDomain("replay.cn")
        .setRegistrant(registrant("c-replay", person(60))).setYears(2).build();
    Domain first = r.registrar(r.registrarA).registerDomain(request);
    Domain second = r.registrar(r.registrarA).registerDomain(request);
    assertThat(second).isEqualTo(first);
    var listed = r.registrar(r.registrarA).listDomains(ListDomainsRequest.newBuilder().setRegistrantHandle("c-replay").build());
    assertThat(listed.getDomainsList()).hasSize(1);
    assertThatThrownBy(() -> r.registrar(r.registrarA).registerDomain(request.toBuilder().setDomain("other.cn").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void aRegistrarCannotSeeOrTouchAnotherRegistrarsDomains() {
    register(r.registrarA, "only-a.cn", registrant("c-a", person(70)));
    for (Runnable call : new Runnable[] {
        () -> r.registrar(r.registrarB).getDomain(GetDomainRequest.newBuilder().setDomain("only-a.cn").build()),
        () -> r.registrar(r.registrarB).deleteDomain(DeleteDomainRequest.newBuilder().setRequestId(rid())
            .setDomain("only-a.cn").build()),
        () -> r.registrar(r.registrarB).transferDomain(TransferDomainRequest.newBuilder().setRequestId(rid())
            .setDomain("only-a.cn").setNewRegistrant(registrant("c-b", person(71))).build())}) {
      assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
          e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    }
    assertThat(r.registrar(r.registrarB).listDomains(ListDomainsRequest.getDefaultInstance()).getDomainsList())
        .extracting(Domain::getName).doesNotContain("only-a.cn");
    assertThat(r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain("only-a.cn").build())
        .getRegistrarId()).isEqualTo("reg-a");
  }

  @Test
  void transferIsANewRegistrationAndDeleteFreesTheName() {
    register(r.registrarA, "moving.cn", registrant("old-h", person(80)));
    Domain moved = r.registrar(r.registrarA).transferDomain(TransferDomainRequest.newBuilder().setRequestId(rid())
        .setDomain("moving.cn").setNewRegistrant(registrant("new-h", person(81))).build());
    assertThat(moved.getRegistrantHandle()).isEqualTo("new-h");
    var history = r.registrar(r.registrarA).listDomains(ListDomainsRequest.newBuilder().setIncludeDeleted(true).build());
    assertThat(history.getDomainsList()).filteredOn(d -> d.getName().equals("moving.cn")).hasSize(2);
    r.registrar(r.registrarA).deleteDomain(DeleteDomainRequest.newBuilder().setRequestId(rid()).setDomain("moving.cn").build());
    register(r.registrarB, "moving.cn", registrant("b-h", person(82)));
  }

  @Test
  void listingPagesThroughEverythingOnce() {
    for (int i = 0; i < 7; i++) {
      register(r.registrarB, "page" + i + ".net.cn", registrant("pager", person(90)));
    }
    java.util.List<String> seen = new java.util.ArrayList<>();
    String token = "";
    do {
      var page = r.registrar(r.registrarB).listDomains(ListDomainsRequest.newBuilder().setPageSize(3)
          .setPageToken(token).setZone("net.cn").build());
      page.getDomainsList().forEach(d -> seen.add(d.getName()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    assertThat(seen).hasSize(7).doesNotHaveDuplicates().isSorted();
  }
}
