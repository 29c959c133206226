package org.serverhold.registry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.serverhold.registry.schema.Tables.AUDIT_EVENT;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.testing.Fixtures.company;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.jooq.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.AddToBlacklistRequest;
import org.serverhold.api.v1.CheckHolderRequest;
import org.serverhold.api.v1.CheckRegistrationRequest;
import org.serverhold.api.v1.GetFilingForDomainRequest;
import org.serverhold.api.v1.GetTakedownReportRequest;
import org.serverhold.api.v1.IdentityType;
import org.serverhold.api.v1.ListDomainsRequest;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.RegistrantIdentity;
import org.serverhold.api.v1.RegistrarServiceGrpc;
import org.serverhold.api.v1.SponsorType;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.TransferDomainRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.registry.auth.Principal;
import org.serverhold.registry.auth.Role;
import org.serverhold.registry.testing.TestRegistry;

/**
 * Identity numbers and bearer tokens stay out of logs, audit records, stored rows and error
 * texts, through a full scenario over real gRPC.
 *
 * <p>Protects the rule "the number is stored encrypted, never logged, shown masked except to a
 * regulator" and "tokens are shown once". Every log record of the run (ours at every level,
 * libraries at their defaults: message, parameters and the thrown stack trace), every audit event
 * (target, authority, before, after), every column of every table, and every error the clients
 * received (description and rich details) is searched for each full identity number and each
 * token used. If a flow logged a request, put an identity into an audit record or an error
 * message (e.g. "bad check digit in 11010519..."), stored a number or a token in plain, or if the
 * holder's ciphertext were the number itself or its fingerprint a bare SHA-256 (guessable from
 * the small number space), one of the searches finds it and the test fails naming where.
 */
class SecretsStayOutTest {
  TestRegistry r;
  final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
  final List<String> errors = new ArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  /** Held strongly: JUL keeps loggers weakly, and a collected logger forgets the level set on it. */
  static final Logger OURS = Logger.getLogger("org.serverhold");
  static final Logger ROOT = Logger.getLogger("");
  Level ourLevelBefore;

  @BeforeEach
  void start() {
    capture.setLevel(Level.ALL);
    ROOT.addHandler(capture);
    ourLevelBefore = OURS.getLevel();
    OURS.setLevel(Level.ALL);
    r = new TestRegistry();
  }

  @AfterEach
  void stop() {
    try {
      if (r != null) {
        r.close();
      }
    } finally {
      ROOT.removeHandler(capture);
      OURS.setLevel(ourLevelBefore);
    }
  }

  @Test
  void noIdentityNumberOrTokenInLogsAuditRowsStoredColumnsOrErrors() throws Exception {
    RegistrantIdentity alice = person(424_201);
    RegistrantIdentity acme = company(424_202);
    RegistrantIdentity sponsor = person(424_203);
    RegistrantIdentity banned = person(424_204);
    RegistrantIdentity newHolder = company(424_205);
    RegistrantIdentity badCheckDigit = alice.toBuilder().setNumber(flipLast(person(424_206).getNumber())).build();
    RegistrantIdentity badLicence = acme.toBuilder().setNumber(flipLast(company(424_207).getNumber())).build();
    List<String> numbers = List.of(alice.getNumber(), acme.getNumber(), sponsor.getNumber(), banned.getNumber(),
        newHolder.getNumber(), badCheckDigit.getNumber(), badLicence.getNumber());
    var created = r.registry.credentials.createToken(Principal.system("test-setup"), "registrar-a-2", Role.REGISTRAR,
        "reg-a", List.of(), "second key of registrar A");
    String unknownToken = "sh_" + "A".repeat(43);
    List<String> tokens = List.of(r.registrarA, r.registrarB, r.regulator, r.filingAuthority, r.resolver, r.admin,
        created.token(), unknownToken);

    var a = r.registrar(r.registrarA);
    var b = r.registrar(r.registrarB);
    var bureau = r.enforcement(r.regulator);
    // Registrations with identities, at both registrars; a check; a verification.
    a.registerDomain(register("secret-a.cn", registrant("sec-alice", alice)));
    a.registerDomain(register("secret-a2.cn", registrant("sec-alice", alice)));
    b.registerDomain(register("secret-b.cn", registrant("sec-acme", acme)));
    a.checkRegistration(CheckRegistrationRequest.newBuilder().setDomain("secret-c.cn")
        .setRegistrant(registrant("sec-alice", alice)).build());
    a.verifyRegistrant(VerifyRegistrantRequest.newBuilder().setRequestId(rid()).setRegistrantHandle("sec-alice")
        .setEvidenceRef("in person, desk 3").build());
    // Bad requests carrying identity numbers: a wrong check digit, a bad licence code.
    expectError(() -> a.registerDomain(register("secret-d.cn", registrant("sec-bad", badCheckDigit))));
    expectError(() -> b.registerDomain(register("secret-e.cn", registrant("sec-bad2", badLicence))));
    expectError(() -> bureau.addToBlacklist(AddToBlacklistRequest.newBuilder().setRequestId(rid())
        .setIdentity(badCheckDigit).setReason("x").setCaseNumber("c").setAuthority("bureau").build()));
    // Errors the service makes from what it stores: bad page tokens (one of them an identity number).
    expectError(() -> a.listDomains(ListDomainsRequest.newBuilder().setPageToken("not-a-token").build()));
    expectError(() -> a.listDomains(ListDomainsRequest.newBuilder().setPageToken(alice.getNumber()).build()));
    // The filing system files a site with the sponsor's identity; a registrar looks it up.
    r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
        .setFiling(filing("京ICP备42420301号-1", "secret-a.cn").toBuilder().setSponsorType(SponsorType.INDIVIDUAL)
            .setSponsorName("张三424203").setSponsorIdentity(sponsor)).build());
    r.filing(r.regulator).getFilingForDomain(GetFilingForDomainRequest.newBuilder().setDomain("secret-a.cn").build());
    // A transfer to a new holder (a new registration of the name).
    b.transferDomain(TransferDomainRequest.newBuilder().setRequestId(rid()).setDomain("secret-b.cn")
        .setNewRegistrant(registrant("sec-newco", newHolder)).build());
    // The bureau takes a domain down and reads the report (which shows it the full number).
    var order = bureau.takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain("secret-a.cn")
        .setAuthority("bureau").setCaseNumber("sec-1").setReason("secrets test").build());
    var report = bureau.getTakedownReport(GetTakedownReportRequest.newBuilder().setTakedownId(order.getTakedownId()).build());
    assertThat(report.getHolder().getNumber()).as("a regulator sees the number").isEqualTo(alice.getNumber());
    // A blacklisted holder is refused; the refusal names no number.
    expectError(() -> a.registerDomain(register("secret-f.cn", registrant("sec-alice", alice))));
    // Manual blacklisting and checks.
    bureau.addToBlacklist(AddToBlacklistRequest.newBuilder().setRequestId(rid()).setIdentity(banned)
        .setReason("fraud").setCaseNumber("sec-2").setAuthority("bureau").build());
    bureau.checkHolder(CheckHolderRequest.newBuilder().setIdentity(banned).build());
    bureau.checkHolder(CheckHolderRequest.newBuilder().setIdentity(alice).build());
    expectError(() -> b.registerDomain(register("secret-g.cn", registrant("sec-banned", banned))));
    // A credential created and used; then revoked and used; an unknown token; a wrong role.
    var second = TestRegistry.as(RegistrarServiceGrpc.newBlockingStub(r.channel), created.token());
    second.listDomains(ListDomainsRequest.getDefaultInstance());
    r.registry.credentials.revoke(Principal.system("test-setup"), created.credential().id(), java.time.Instant.now());
    expectError(() -> second.listDomains(ListDomainsRequest.getDefaultInstance()));
    expectError(() -> TestRegistry.as(RegistrarServiceGrpc.newBlockingStub(r.channel), unknownToken)
        .listDomains(ListDomainsRequest.getDefaultInstance()));
    expectError(() -> r.enforcement(r.registrarA).checkHolder(CheckHolderRequest.newBuilder().setIdentity(alice).build()));

    assertThat(errors).hasSize(10);
    assertThat(records).as("the scenario logged something to search").isNotEmpty();
    List<String> secrets = new ArrayList<>(numbers);
    secrets.addAll(tokens);

    // 1. Logs: message, parameters, formatted text, thrown stack trace.
    SimpleFormatter formatter = new SimpleFormatter();
    for (LogRecord rec : List.copyOf(records)) {
      StringBuilder text = new StringBuilder(String.valueOf(rec.getMessage()));
      if (rec.getParameters() != null) {
        Arrays.stream(rec.getParameters()).forEach(p -> text.append(' ').append(p));
      }
      text.append(' ').append(formatter.format(rec));
      if (rec.getThrown() != null) {
        StringWriter trace = new StringWriter();
        rec.getThrown().printStackTrace(new PrintWriter(trace));
        text.append(trace);
      }
      assertNoSecret(secrets, "log record of " + rec.getLoggerName(), text.toString());
    }
    // 2. Errors returned to clients: description and rich details.
    for (String e : errors) {
      assertNoSecret(secrets, "an error returned to a client", e);
    }
    // 3. The audit log, field by field.
    var events = r.db.dsl().selectFrom(AUDIT_EVENT).fetch();
    assertThat(events).hasSizeGreaterThan(10);
    for (var ev : events) {
      String where = "audit event " + ev.getId() + " (" + ev.getAction() + ")";
      assertNoSecret(secrets, where + " target", ev.getTarget());
      assertNoSecret(secrets, where + " authority", ev.getAuthority());
      assertNoSecret(secrets, where + " before", ev.getBeforeState());
      assertNoSecret(secrets, where + " after", ev.getAfterState());
      assertNoSecret(secrets, where + " request id", ev.getRequestId());
    }
    // 4. Every column of every table (text, and binary as bytes).
    for (String table : r.db.dsl().fetch("show tables").getValues(0, String.class)) {
      for (Record row : r.db.dsl().fetch("select * from `" + table + "`")) {
        for (int i = 0; i < row.size(); i++) {
          Object v = row.get(i);
          String where = "table " + table + " column " + row.field(i).getName();
          if (v instanceof byte[] bytes) {
            for (String s : secrets) {
              assertThat(indexOf(bytes, s.getBytes(StandardCharsets.UTF_8))).as("%s holds a secret in plain", where)
                  .isNegative();
              assertThat(indexOf(bytes, s.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)))
                  .as("%s holds a secret in plain", where).isNegative();
            }
          } else if (v != null) {
            assertNoSecret(secrets, where, v.toString());
          }
        }
      }
    }
    // 5. Holders: ciphertext is not the number, fingerprint is not a plain hash of it, last 4 only.
    for (RegistrantIdentity id : List.of(alice, acme, banned, newHolder)) {
      String number = id.getNumber().toUpperCase(Locale.ROOT);
      var holders = r.db.dsl().selectFrom(HOLDER).where(HOLDER.NUMBER_LAST4.eq(number.substring(number.length() - 4))).fetch();
      assertThat(holders).as("holder of %s", id.getName()).hasSize(1);
      var h = holders.getFirst();
      assertThat(indexOf(h.getNumberCiphertext(), number.getBytes(StandardCharsets.UTF_8))).isNegative();
      assertThat(h.getNumberCiphertext().length).isGreaterThan(number.length()); // nonce + tag: sealed, not encoded
      String type = id.getType() == IdentityType.RESIDENT_ID_CARD ? "RESIDENT_ID_CARD" : "BUSINESS_LICENCE";
      for (String preimage : List.of(number, id.getNumber(), type + "\0" + number, type + number, type + ":" + number)) {
        assertThat(h.getFingerprint()).as("fingerprint is not SHA-256(%s)", preimage.replace("\0", "\\0"))
            .isNotEqualTo(sha256(preimage));
      }
      assertThat(h.getNumberLast4()).hasSize(4);
    }
  }

  static RegisterDomainRequest register(String name, org.serverhold.api.v1.Registrant registrant) {
    return RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name).setRegistrant(registrant)
        .setYears(1).build();
  }

  /** Runs a call that must fail; keeps what the client was told. */
  void expectError(Supplier<?> call) {
    try {
      call.get();
      fail("the call should have been refused");
    } catch (StatusRuntimeException e) {
      StringBuilder text = new StringBuilder(e.getStatus().getCode() + " " + e.getStatus().getDescription());
      var status = StatusProto.fromThrowable(e);
      if (status != null) {
        text.append(' ').append(status.getMessage());
        for (var any : status.getDetailsList()) {
          try {
            if (any.is(ErrorInfo.class)) {
              text.append(' ').append(any.unpack(ErrorInfo.class));
            } else if (any.is(BadRequest.class)) {
              text.append(' ').append(any.unpack(BadRequest.class));
            } else {
              text.append(' ').append(any);
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError(ex);
          }
        }
      }
      errors.add(text.append(' ').append(e.getTrailers()).toString());
    }
  }

  static void assertNoSecret(List<String> secrets, String where, String text) {
    if (text == null) {
      return;
    }
    String haystack = text.toUpperCase(Locale.ROOT);
    for (String s : secrets) {
      if (haystack.contains(s.toUpperCase(Locale.ROOT))) {
        fail(where + " contains a secret (" + s.substring(0, 6) + "...): " + text);
      }
    }
  }

  static String flipLast(String number) {
    char last = number.charAt(number.length() - 1);
    char other = last == '1' ? '2' : '1';
    return number.substring(0, number.length() - 1) + other;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static byte[] sha256(String s) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
