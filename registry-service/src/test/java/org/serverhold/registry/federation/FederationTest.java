package org.serverhold.registry.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.serverhold.registry.schema.Tables.AUDIT_EVENT;
import static org.serverhold.registry.schema.Tables.FEDERATION_ENTRY;
import static org.serverhold.registry.testing.Fixtures.errorInfo;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.BlacklistChange;
import org.serverhold.api.v1.BlacklistSource;
import org.serverhold.api.v1.CheckHolderRequest;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.DecideReviewRequest;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.GetFederationStatusRequest;
import org.serverhold.api.v1.HoldReason;
import org.serverhold.api.v1.ImportState;
import org.serverhold.api.v1.ImportedEntry;
import org.serverhold.api.v1.LiftTakedownRequest;
import org.serverhold.api.v1.ListReviewsRequest;
import org.serverhold.api.v1.PeerStatus;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.RemoveFromBlacklistRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.schema.enums.FederationEntryState;
import org.serverhold.registry.testing.FeedSubscriber;
import org.serverhold.registry.testing.TestRegistry;

/**
 * Blacklist sharing between registries, end to end: two and three registries, each on its own
 * database and real gRPC port, importing each other's blacklists with the PEER credentials they
 * issued one another and one shared federation key.
 */
class FederationTest {
  static final byte[] KEY = new byte[32];

  static {
    new SecureRandom().nextBytes(KEY);
  }

  static TestRegistry member(String id) {
    return new TestRegistry(new FederationSettings(id, Optional.of(new FederationKey(KEY))));
  }

  /** {@code importer} pulls {@code exporter}'s blacklist under the name {@code id}, with a token the exporter issued. */
  static PeerConfig peer(TestRegistry exporter, String id, DisposalMode mode) {
    return new PeerConfig(id, exporter.target(), exporter.peerToken("member-" + id + "-" + rid().substring(0, 8)),
        false, null, mode);
  }

  static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + max + ": " + what);
      }
      Thread.sleep(10);
    }
  }

  static Domain register(TestRegistry r, String name, String handle, RegistrantIdentity id) {
    return r.registrar(r.registrarA).registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
        .setRegistrant(registrant(handle, id)).setYears(1).build());
  }

  /** Verifies the registrant and files the names, so they resolve unless held. */
  static void resolvable(TestRegistry r, String handle, String... names) {
    r.registrar(r.registrarA).verifyRegistrant(VerifyRegistrantRequest.newBuilder().setRequestId(rid())
        .setRegistrantHandle(handle).setEvidenceRef("counter check").build());
    r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
        .setFiling(filing("京ICP备" + String.format("%08d", Math.abs(handle.hashCode() % 100000000)) + "号-1", names)).build());
  }

  static boolean allowed(TestRegistry r, String name, String handle, RegistrantIdentity id) {
    return r.registrar(r.registrarA).checkRegistration(CheckRegistrationRequest.newBuilder().setDomain(name)
        .setRegistrant(registrant(handle, id)).build()).getAllowed();
  }

  static Domain get(TestRegistry r, String name) {
    return r.registrar(r.registrarA).getDomain(GetDomainRequest.newBuilder().setDomain(name).build());
  }

  static List<HoldReason> holds(TestRegistry r, String name) {
    return get(r, name).getHoldsList().stream().map(h -> h.getReason()).toList();
  }

  static org.serverhold.api.v1.Takedown takedown(TestRegistry r, String name, String caseNumber) {
    return r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain(name)
        .setAuthority("上海市公安局网安总队").setCaseNumber(caseNumber).setReason("fraud").build());
  }

  static void lift(TestRegistry r, String takedownId) {
    r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(takedownId).setAuthority("上海市第一中级人民法院").setReason("appeal granted").build());
  }

  static void blacklist(TestRegistry r, RegistrantIdentity id, String caseNumber) {
    r.enforcement(r.regulator).addToBlacklist(AddToBlacklistRequest.newBuilder().setRequestId(rid()).setIdentity(id)
        .setReason("repeated fraud").setCaseNumber(caseNumber).setAuthority("某市公安局").build());
  }

  static PeerStatus status(TestRegistry r, String peerId) {
    return r.federationAdmin(r.regulator).getFederationStatus(GetFederationStatusRequest.getDefaultInstance())
        .getPeersList().stream().filter(p -> p.getPeerId().equals(peerId)).findFirst().orElseThrow();
  }

  /** The registry's own blacklist log head, from its database. */
  static long head(TestRegistry r) {
    return r.db.dsl().select(org.serverhold.registry.schema.Tables.FEDERATION_HEAD.VERSION)
        .from(org.serverhold.registry.schema.Tables.FEDERATION_HEAD).fetchSingle().value1();
  }

  static long applied(TestRegistry r, String peerId) {
    return r.registry.federation.imports().lastVersion(peerId);
  }

  static Optional<org.serverhold.api.v1.PolicyEntry> feedEntry(FeedSubscriber feed, String name) {
    return Optional.ofNullable(feed.entries().get("DOMAIN " + name));
  }

  static void assertRefusedAsBlacklisted(TestRegistry r, String name, String handle, RegistrantIdentity id,
      String sources) {
    assertThatThrownBy(() -> register(r, name, handle, id)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
      var info = errorInfo(e).orElseThrow();
      assertThat(info.getReason()).isEqualTo("HOLDER_BLACKLISTED");
      assertThat(info.getMetadataMap()).containsEntry("blacklist_sources", sources);
    });
  }

  /**
   * Protects the core promise with suspend: a takedown at A refuses the holder at B within a
   * second; B's live domains of the holder get PEER_DISPOSAL holds naming A's order and B's
   * policy feed denies them; the lift at A reverses both. And no identity number (nor name)
   * is in any message the importer sent or received.
   */
  @Test
  void aTakedownAtOneRegistrySuspendsTheHolderAtItsPeerAndTheLiftReversesIt() throws Exception {
    try (TestRegistry a = member("reg-a"); TestRegistry b = member("reg-b")) {
      RegistrantIdentity holder = person(500);
      register(a, "gamble-a.cn", "h-a", holder);
      register(b, "gamble-b.cn", "h-b", holder);
      register(b, "gamble-b2.com.cn", "h-b", holder);
      register(b, "neighbour-b.cn", "n-b", person(501));
      resolvable(b, "h-b", "gamble-b.cn", "gamble-b2.com.cn");
      resolvable(b, "n-b", "neighbour-b.cn");
      MessageCapture wire = new MessageCapture();
      b.registry.federation.addPeer(peer(a, "reg-a", DisposalMode.SUSPEND), wire);

      try (FeedSubscriber feed = new FeedSubscriber(b, 0)) {
        await("B's feed allows gamble-b.cn", Duration.ofSeconds(10), () -> feedEntry(feed, "gamble-b.cn")
            .map(e -> e.getReason() == DenyReason.DENY_REASON_UNSPECIFIED).orElse(false));
        assertThat(get(b, "gamble-b.cn").getResolvable()).isTrue();

        var order = takedown(a, "gamble-a.cn", "2026-沪-007");
        long issued = System.nanoTime();
        await("B refuses the holder", Duration.ofSeconds(1), () -> !allowed(b, "next-b.cn", "h-new", holder));
        long tookMs = (System.nanoTime() - issued) / 1_000_000;
        assertThat(tookMs).as("takedown at A to refusal at B, ms").isLessThan(1000);
        assertRefusedAsBlacklisted(b, "next-b.cn", "h-new", holder, "reg-a");
        assertRefusedAsBlacklisted(b, "next-b.cn", "h-b", holder, "reg-a");

        for (String name : List.of("gamble-b.cn", "gamble-b2.com.cn")) {
          Domain d = get(b, name);
          assertThat(d.getResolvable()).as(name).isFalse();
          assertThat(d.getHoldsList()).as(name).anySatisfy(h -> {
            assertThat(h.getReason()).isEqualTo(HoldReason.HOLD_PEER_DISPOSAL);
            assertThat(h.getReference()).contains("reg-a").contains(order.getTakedownId()).contains("2026-沪-007");
          });
        }
        assertThat(get(b, "neighbour-b.cn").getResolvable()).isTrue();
        await("B's feed denies gamble-b.cn as a peer disposal", Duration.ofSeconds(5), () ->
            feedEntry(feed, "gamble-b.cn").map(e -> e.getReason() == DenyReason.DENY_PEER_DISPOSAL).orElse(false)
                && feedEntry(feed, "gamble-b2.com.cn").map(e -> e.getReason() == DenyReason.DENY_PEER_DISPOSAL).orElse(false));

        var check = b.enforcement(b.regulator).checkHolder(CheckHolderRequest.newBuilder().setIdentity(holder).build());
        assertThat(check.getBlacklisted()).isTrue();
        assertThat(check.getEntriesList()).singleElement().satisfies(e -> {
          assertThat(e.getSource()).isEqualTo(BlacklistSource.PEER_REGISTRY);
          assertThat(e.getSourceReference()).startsWith("reg-a/E");
          assertThat(e.getCaseNumber()).isEqualTo("2026-沪-007");
        });

        lift(a, order.getTakedownId());
        await("B allows the holder again", Duration.ofSeconds(5), () -> allowed(b, "next-b.cn", "h-new", holder));
        assertThat(holds(b, "gamble-b.cn")).doesNotContain(HoldReason.HOLD_PEER_DISPOSAL);
        assertThat(get(b, "gamble-b.cn").getResolvable()).isTrue();
        await("B's feed allows gamble-b.cn again", Duration.ofSeconds(5), () -> feedEntry(feed, "gamble-b.cn")
            .map(e -> e.getReason() == DenyReason.DENY_REASON_UNSPECIFIED).orElse(false));
        assertThat(feed.problems()).isEmpty();
      }

      // every import and lift is audited at B, under the peer's name
      assertThat(b.db.dsl().select(AUDIT_EVENT.ACTION).from(AUDIT_EVENT).where(AUDIT_EVENT.ACTOR.eq("peer:reg-a"))
          .orderBy(AUDIT_EVENT.ID).fetch(AUDIT_EVENT.ACTION)).containsExactly("federation.import", "federation.lift");

      // what crossed the wire: the watch request and the changes, never the number or the name
      List<com.google.protobuf.MessageLite> messages = wire.messages();
      assertThat(messages).filteredOn(m -> m instanceof BlacklistChange).hasSize(2);
      for (var m : messages) {
        String bytes = new String(m.toByteArray(), StandardCharsets.ISO_8859_1);
        String utf8 = new String(m.toByteArray(), StandardCharsets.UTF_8);
        assertThat(bytes).doesNotContain(holder.getNumber()).doesNotContain(holder.getNumber().substring(0, 12));
        assertThat(utf8).doesNotContain(holder.getName());
        assertThat(m.toString()).doesNotContain(holder.getNumber());
        if (m instanceof BlacklistChange c) {
          assertThat(c.getFederationFingerprint().size()).isEqualTo(32);
          assertThat(c.getSourceRegistryId()).isEqualTo("reg-a");
        }
      }
    }
  }

  /**
   * Protects shadow entries: a holder blacklisted at A who never registered anything at B is
   * refused at B on its first attempt (and CheckRegistration says so), with A named as the
   * source; "record" leaves the live domains of a known holder alone while refusing new ones.
   */
  @Test
  void anIdentityUnknownHereIsRefusedOnItsFirstAttemptAndRecordModeLeavesLiveDomains() throws Exception {
    try (TestRegistry a = member("reg-a"); TestRegistry b = member("reg-b")) {
      RegistrantIdentity stranger = person(600);
      RegistrantIdentity known = person(601);
      register(b, "known-b.cn", "k-b", known);
      resolvable(b, "k-b", "known-b.cn");
      b.registry.federation.addPeer(peer(a, "reg-a", DisposalMode.RECORD));
      blacklist(a, stranger, "2026-粤-1");
      blacklist(a, known, "2026-粤-2");
      await("B imported both", Duration.ofSeconds(5), () -> applied(b, "reg-a") == 2);

      assertThat(allowed(b, "stranger-b.cn", "s-b", stranger)).isFalse();
      assertRefusedAsBlacklisted(b, "stranger-b.cn", "s-b", stranger, "reg-a");
      assertRefusedAsBlacklisted(b, "known-b2.cn", "k-b", known, "reg-a");
      assertThat(get(b, "known-b.cn").getResolvable()).as("record mode holds nothing").isTrue();
      assertThat(holds(b, "known-b.cn")).doesNotContain(HoldReason.HOLD_PEER_DISPOSAL, HoldReason.HOLD_HOLDER_BLACKLISTED);
      // a later local blacklisting of the stranger (which creates the holder) adopts A's entry beside its own
      blacklist(b, stranger, "2026-京-9");
      var check = b.enforcement(b.regulator).checkHolder(CheckHolderRequest.newBuilder().setIdentity(stranger).build());
      assertThat(check.getEntriesList()).extracting(e -> e.getSource())
          .containsExactlyInAnyOrder(BlacklistSource.PEER_REGISTRY, BlacklistSource.MANUAL);
      assertRefusedAsBlacklisted(b, "stranger-b.cn", "s-b", stranger, "local,reg-a");
    }
  }

  /**
   * Protects review mode: an import waits, with nothing in force, until a local regulator decides;
   * accept applies it as suspend, reject leaves the holder alone; both are audited.
   */
  @Test
  void reviewModeWaitsForALocalRegulatorsDecision() throws Exception {
    try (TestRegistry a = member("reg-a"); TestRegistry b = member("reg-b")) {
      RegistrantIdentity first = person(700);
      RegistrantIdentity second = person(701);
      register(a, "rev-a1.cn", "r1", first);
      register(a, "rev-a2.cn", "r2", second);
      register(b, "rev-b1.cn", "r1", first);
      register(b, "rev-b2.cn", "r2", second);
      resolvable(b, "r1", "rev-b1.cn");
      resolvable(b, "r2", "rev-b2.cn");
      b.registry.federation.addPeer(peer(a, "reg-a", DisposalMode.REVIEW));

      var order = takedown(a, "rev-a1.cn", "case-R1");
      takedown(a, "rev-a2.cn", "case-R2");
      var queue = b.federationAdmin(b.regulator);
      await("two imports queued at B", Duration.ofSeconds(5),
          () -> queue.listReviews(ListReviewsRequest.getDefaultInstance()).getEntriesCount() == 2);
      // nothing in force while waiting
      assertThat(get(b, "rev-b1.cn").getResolvable()).isTrue();
      assertThat(allowed(b, "rev-b3.cn", "r1", first)).isTrue();

      List<ImportedEntry> waiting = queue.listReviews(ListReviewsRequest.getDefaultInstance()).getEntriesList();
      assertThat(waiting).extracting(ImportedEntry::getState).containsOnly(ImportState.IMPORT_PENDING_REVIEW);
      ImportedEntry e1 = waiting.stream().filter(e -> e.getCaseNumber().equals("case-R1")).findFirst().orElseThrow();
      ImportedEntry e2 = waiting.stream().filter(e -> e.getCaseNumber().equals("case-R2")).findFirst().orElseThrow();

      // an ADMIN may look at the queue but not decide
      assertThat(b.federationAdmin(b.admin).listReviews(ListReviewsRequest.getDefaultInstance()).getEntriesCount()).isEqualTo(2);
      assertThatThrownBy(() -> b.federationAdmin(b.admin).decideReview(DecideReviewRequest.newBuilder().setRequestId(rid())
          .setId(e1.getId()).setAccept(true).setReason("x").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              ex -> assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

      ImportedEntry accepted = queue.decideReview(DecideReviewRequest.newBuilder().setRequestId(rid()).setId(e1.getId())
          .setAccept(true).setReason("same fraud ring seen here").build());
      assertThat(accepted.getState()).isEqualTo(ImportState.IMPORT_IN_FORCE);
      assertThat(accepted.getDomainsHeld()).isEqualTo(1);
      assertThat(holds(b, "rev-b1.cn")).contains(HoldReason.HOLD_PEER_DISPOSAL);
      assertThat(allowed(b, "rev-b3.cn", "r1", first)).isFalse();

      ImportedEntry rejected = queue.decideReview(DecideReviewRequest.newBuilder().setRequestId(rid()).setId(e2.getId())
          .setAccept(false).setReason("not our jurisdiction").build());
      assertThat(rejected.getState()).isEqualTo(ImportState.IMPORT_REJECTED);
      assertThat(get(b, "rev-b2.cn").getResolvable()).isTrue();
      assertThat(allowed(b, "rev-b4.cn", "r2", second)).isTrue();
      assertThatThrownBy(() -> queue.decideReview(DecideReviewRequest.newBuilder().setRequestId(rid()).setId(e2.getId())
          .setAccept(true).setReason("changed my mind").build()))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              ex -> assertThat(errorInfo(ex).orElseThrow().getReason()).isEqualTo("NOT_PENDING_REVIEW"));
      assertThat(queue.listReviews(ListReviewsRequest.getDefaultInstance()).getEntriesList()).isEmpty();

      lift(a, order.getTakedownId());
      await("the accepted import is lifted at B", Duration.ofSeconds(5),
          () -> !holds(b, "rev-b1.cn").contains(HoldReason.HOLD_PEER_DISPOSAL));
      assertThat(b.db.dsl().select(AUDIT_EVENT.ACTION).from(AUDIT_EVENT)
          .where(AUDIT_EVENT.ACTION.like("federation.review.%")).fetch(AUDIT_EVENT.ACTION))
          .containsExactlyInAnyOrder("federation.review.accept", "federation.review.reject");
    }
  }

  /**
   * Protects the three-member federation: two peers reporting one holder make one blacklist
   * standing with both sources; imported entries are never re-exported (a member hears of an
   * entry only from the registry that made it), so nothing loops between members that import
   * each other.
   */
  @Test
  void threeRegistriesShareOneBlacklistWithoutLoops() throws Exception {
    try (TestRegistry a = member("reg-a"); TestRegistry b = member("reg-b"); TestRegistry c = member("reg-c")) {
      b.registry.federation.addPeer(peer(a, "reg-a", DisposalMode.SUSPEND));
      b.registry.federation.addPeer(peer(c, "reg-c", DisposalMode.SUSPEND));
      c.registry.federation.addPeer(peer(b, "reg-b", DisposalMode.RECORD));
      a.registry.federation.addPeer(peer(b, "reg-b", DisposalMode.RECORD));

      RegistrantIdentity both = person(800);
      RegistrantIdentity onlyA = person(801);
      RegistrantIdentity atB = person(802);
      register(b, "both-b.cn", "both", both);
      blacklist(a, both, "A-1");
      blacklist(c, both, "C-1");
      blacklist(a, onlyA, "A-2");
      await("B imported A's two and C's one", Duration.ofSeconds(5),
          () -> applied(b, "reg-a") == 2 && applied(b, "reg-c") == 1);

      var check = b.enforcement(b.regulator).checkHolder(CheckHolderRequest.newBuilder().setIdentity(both).build());
      assertThat(check.getBlacklisted()).isTrue();
      assertThat(check.getEntriesList()).extracting(e -> e.getSourceReference().substring(0, 6))
          .containsExactlyInAnyOrder("reg-a/", "reg-c/");
      assertRefusedAsBlacklisted(b, "both-b2.cn", "both", both, "reg-a,reg-c");
      // two orders, two holds; each lift releases only its own
      assertThat(holds(b, "both-b.cn")).filteredOn(h -> h == HoldReason.HOLD_PEER_DISPOSAL).hasSize(2);
      c.enforcement(c.regulator).removeFromBlacklist(RemoveFromBlacklistRequest.newBuilder().setRequestId(rid())
          .setIdentity(both).setReason("error").build());
      await("C's lift reaches B", Duration.ofSeconds(5), () -> applied(b, "reg-c") == 2);
      assertThat(holds(b, "both-b.cn")).filteredOn(h -> h == HoldReason.HOLD_PEER_DISPOSAL).hasSize(1);
      assertRefusedAsBlacklisted(b, "both-b2.cn", "both", both, "reg-a");

      // B's own entry reaches C and A; nothing B imported goes along
      blacklist(b, atB, "B-1");
      await("C and A applied B's whole log", Duration.ofSeconds(5),
          () -> applied(c, "reg-b") == 1 && applied(a, "reg-b") == 1);
      assertThat(head(b)).as("B's log: its own entry only").isEqualTo(1);
      assertThat(c.db.dsl().fetchCount(FEDERATION_ENTRY)).isEqualTo(1);
      assertThat(allowed(c, "only-a-c.cn", "oa", onlyA)).as("C hears nothing of A through B").isTrue();
      assertThat(allowed(c, "at-b-c.cn", "ab", atB)).isFalse();
      assertThat(allowed(a, "at-b-a.cn", "ab", atB)).isFalse();
      assertThat(head(a)).as("A's log: its own two entries, no echo").isEqualTo(2);
      assertThat(head(c)).as("C's log: its add and lift").isEqualTo(2);
    }
  }

  /**
   * Protects resilience: a peer sending garbage and a peer that is down do not stop the importer
   * of a third; the garbage is applied nowhere; when the down peer returns, its importer resumes
   * from its stored version and every change is applied exactly once (nothing lost, nothing
   * doubled), also across a restart of the importer.
   */
  @Test
  void aPeerDownOrSendingGarbageHoldsBackOnlyItselfAndResumesExactly() throws Exception {
    try (TestRegistry a = member("reg-a"); TestRegistry b = member("reg-b"); TestRegistry c = member("reg-c");
        GarbagePeer junk = new GarbagePeer(); TcpProxy toA = new TcpProxy(a.server.port())) {
      PeerConfig viaProxy = new PeerConfig("reg-a", "127.0.0.1:" + toA.port(), a.peerToken("member-b"), false, null,
          DisposalMode.SUSPEND);
      b.registry.federation.addPeer(viaProxy);
      b.registry.federation.addPeer(new PeerConfig("junk", "127.0.0.1:" + junk.port(), "sh_whatever", false, null,
          DisposalMode.SUSPEND));
      b.registry.federation.addPeer(peer(c, "reg-c", DisposalMode.RECORD));

      blacklist(a, person(901), "A-1");
      await("B applied A's first change", Duration.ofSeconds(5), () -> applied(b, "reg-a") == 1);
      await("the garbage peer was tried several times", Duration.ofSeconds(10), () -> junk.connections.get() >= 4);
      assertThat(status(b, "junk").getLastError()).isNotEmpty();
      assertThat(applied(b, "junk")).isZero();

      toA.stop();
      blacklist(a, person(902), "A-2");
      blacklist(a, person(903), "A-3");
      a.enforcement(a.regulator).removeFromBlacklist(RemoveFromBlacklistRequest.newBuilder().setRequestId(rid())
          .setIdentity(person(902)).setReason("mistaken identity").build());
      await("A's log has four changes", Duration.ofSeconds(5), () -> a.registry.federation.exportLog().latest() == 4);
      blacklist(c, person(904), "C-1");
      await("B keeps importing C while A is unreachable", Duration.ofSeconds(5), () -> applied(b, "reg-c") == 1);
      await("B notices A is down", Duration.ofSeconds(10), () -> !status(b, "reg-a").getLastError().isEmpty()
          && !status(b, "reg-a").getConnected());
      assertThat(applied(b, "reg-a")).isEqualTo(1);

      toA.start();
      await("B resumes A from version 1 to 4", Duration.ofSeconds(60), () -> applied(b, "reg-a") == 4);
      assertExactlyOnce(b, "reg-a", 4, 3, 1);

      // the importer restarted (a registry restart): it resumes from its stored version
      b.registry.federation.removePeer("reg-a");
      blacklist(a, person(905), "A-4");
      b.registry.federation.addPeer(viaProxy);
      await("B applied A's fifth change", Duration.ofSeconds(10), () -> applied(b, "reg-a") == 5);
      assertExactlyOnce(b, "reg-a", 5, 4, 1);

      assertThat(b.db.dsl().fetchCount(FEDERATION_ENTRY, FEDERATION_ENTRY.PEER_ID.eq("junk"))).isZero();
      PeerStatus s = status(b, "reg-a");
      assertThat(s.getAppliedVersion()).isEqualTo(5);
      assertThat(s.getPeerHeadVersion()).isEqualTo(5);
      assertThat(s.getLag()).isZero();
      assertThat(s.getEntriesInForce()).isEqualTo(3);
    }
  }

  /** Every version of the peer applied once: one audit event per version, one imported entry per addition. */
  static void assertExactlyOnce(TestRegistry r, String peerId, int versions, int entries, int lifted) {
    assertThat(r.db.dsl().fetchCount(AUDIT_EVENT, AUDIT_EVENT.ACTOR.eq("peer:" + peerId))).isEqualTo(versions);
    assertThat(r.db.dsl().fetchCount(FEDERATION_ENTRY, FEDERATION_ENTRY.PEER_ID.eq(peerId))).isEqualTo(entries);
    assertThat(r.db.dsl().fetchCount(FEDERATION_ENTRY, FEDERATION_ENTRY.PEER_ID.eq(peerId),
        FEDERATION_ENTRY.STATE.eq(FederationEntryState.LIFTED))).isEqualTo(lifted);
  }
}
