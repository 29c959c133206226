package org.serverhold.registry.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.serverhold.registry.schema.Tables.AUDIT_EVENT;
import static org.serverhold.registry.schema.Tables.BLACKLIST_ENTRY;
import static org.serverhold.registry.schema.Tables.DOMAIN;
import static org.serverhold.registry.schema.Tables.DOMAIN_HOLD;
import static org.serverhold.registry.schema.Tables.HOLDER;
import static org.serverhold.registry.schema.Tables.POLICY_HEAD;
import static org.serverhold.registry.schema.Tables.REQUEST_LOG;
import static org.serverhold.registry.schema.Tables.TAKEDOWN;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.Domain;
import org.serverhold.api.v1.GetDomainRequest;
import org.serverhold.api.v1.HoldReason;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.database.DatabaseConfig;
import org.serverhold.registry.database.EmbeddedMariaDb;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.testing.TestDomains;
import org.serverhold.registry.testing.TestRegistry;

/**
 * The database goes away under a running registry, and comes back.
 *
 * <p>Protects three things. (1) Callers are told UNAVAILABLE, which they may retry, and are told
 * so within the pool's connection timeout: if GrpcErrors (or the credential check in
 * AuthInterceptor) stopped classifying connection failures, these calls would come back INTERNAL
 * and the assertions on the code fail; if the pool waited without bound they would end in
 * DEADLINE_EXCEEDED instead. (2) A mutation cut off mid-transaction leaves nothing behind: the
 * takedown of a 20,000-domain holder is stopped by killing the server (kill -9) after it has
 * written its holds, blacklist entry and changeset but before it commits; if any of that were
 * committed in a transaction of its own (or with autocommit), the takedown row, holds, offence
 * count, blacklist entry or policy version would survive the restart and the checks fail.
 * (3) The registry recovers by itself: the same calls, with the same request ids, succeed once the
 * server is back on the same port, without a new Registry or pool; if the pool kept its dead
 * connections, or a failed call left its request-id claim behind, they would fail.
 *
 * <p>The registry runs over a MariaDB of its own (not the shared test server), started and
 * killed here.
 */
class DatabaseOutageTest {
  static final Duration POOL_WAIT = Duration.ofSeconds(2);
  static final long CALL_DEADLINE_SECONDS = 30;

  static Path home;
  static EmbeddedMariaDb server;
  static int port;
  static Database db;
  static TestRegistry r;

  // A fresh server for each test: a failed crash recovery must not take the other test with it.
  @BeforeEach
  void start() throws IOException {
    home = Path.of("target", "fault-mariadb-" + ProcessHandle.current().pid()).toAbsolutePath();
    Files.createDirectories(home);
    server = EmbeddedMariaDb.start(home);
    port = server.port();
    db = Database.open(new DatabaseConfig(server.jdbcUrl(), "root", "", home.resolve("registry"), 8, POOL_WAIT));
    r = TestRegistry.over(db, new HolderKeys(HolderKeys.newKey(), HolderKeys.newKey()));
  }

  @AfterEach
  void stop() throws IOException {
    if (r != null) {
      r.close();
    }
    if (db != null) {
      db.close();
    }
    if (server != null) {
      try {
        server.close();
      } catch (RuntimeException e) {
        killServer();
      }
    }
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aStoppedDatabaseGivesUnavailableAndTheRegistryRecoversByItself() throws Exception {
    register(rid(), "outage-before.cn", "outage-a", 1);
    Map<String, Long> before = checksums();

    server.close(); // a clean stop: the port refuses connections
    String registerId = rid();
    String takedownId = rid();
    assertUnavailable(() -> register(registerId, "outage-during.cn", "outage-b", 2));
    assertUnavailable(() -> takedown(takedownId, "outage-before.cn", "outage-1"));
    assertUnavailable(() -> getDomain("outage-before.cn"));

    server = EmbeddedMariaDb.start(home, port);
    awaitRecovery();
    assertThat(checksums()).as("nothing the refused calls carried was written").isEqualTo(before);

    // The same registry, the same pool, the same request ids: the calls now go through.
    assertThat(register(registerId, "outage-during.cn", "outage-b", 2).getName()).isEqualTo("outage-during.cn");
    var order = takedown(takedownId, "outage-before.cn", "outage-1");
    assertThat(order.getDomainsSuspended()).isEqualTo(1);
    assertThat(getDomain("outage-before.cn").getHoldsList()).anyMatch(h -> h.getReason() == HoldReason.HOLD_TAKEDOWN);
  }

  @Test
  void aDatabaseKilledMidTakedownLeavesNoPartOfItAndTheRetrySucceeds() throws Exception {
    var holder = TestDomains.bulk(db, r.registry.holders, r.registry.policy, "outage-bulk", person(880_001),
        "outage-bulk", 20_000);
    long versionBefore = policyVersion();
    long auditBefore = db.dsl().fetchCount(AUDIT_EVENT);
    long takedownsBefore = db.dsl().fetchCount(TAKEDOWN);
    long takedownHoldsBefore = db.dsl().fetchCount(DOMAIN_HOLD, DOMAIN_HOLD.TAKEDOWN_ID.isNotNull());
    long blacklistBefore = db.dsl().fetchCount(BLACKLIST_ENTRY);
    String takedownId = rid();
    String registerId = rid();
    ExecutorService callers = Executors.newFixedThreadPool(2);
    Connection blocker = connect();
    Connection watcher = connect();
    try {
      // Hold the audit chain's head: every mutation appends its audit event last, so the takedown
      // stops there with everything else written (holds, blacklist entry, changeset) but not
      // committed. The registration then waits behind it for the policy head.
      blocker.setAutoCommit(false);
      try (Statement st = blocker.createStatement()) {
        st.executeQuery("select * from audit_head where id = 1 for update").close();
      }
      Future<?> takedown = callers.submit(() -> takedown(takedownId, holder.firstName(), "outage-big"));
      awaitLockingRead(watcher, "audit_head");
      Future<?> registration = callers.submit(() -> register(registerId, "outage-mid.cn", "outage-c", 3));
      awaitLockingRead(watcher, "policy_head");

      // The partial state exists, uncommitted: this is what a crash must not leave behind.
      try (Statement st = watcher.createStatement()) {
        st.execute("set session transaction isolation level read uncommitted");
        assertThat(count(st, "select count(*) from domain_hold where takedown_id is not null"))
            .isEqualTo(takedownHoldsBefore + 20_000);
        assertThat(count(st, "select count(*) from takedown")).isEqualTo(takedownsBefore + 1);
        assertThat(count(st, "select count(*) from blacklist_entry")).isEqualTo(blacklistBefore + 1);
        assertThat(count(st, "select count(*) from domain where name = 'outage-mid.cn'")).isEqualTo(1);
      }

      killServer();
      assertUnavailable(() -> get(takedown));
      assertUnavailable(() -> get(registration));
    } finally {
      callers.shutdownNow();
      closeQuietly(blocker);
      closeQuietly(watcher);
    }

    server = EmbeddedMariaDb.start(home, port);
    awaitRecovery();
    assertThat(db.dsl().fetchCount(TAKEDOWN)).as("takedown rows").isEqualTo(takedownsBefore);
    assertThat(db.dsl().fetchCount(DOMAIN_HOLD, DOMAIN_HOLD.TAKEDOWN_ID.isNotNull())).as("takedown holds")
        .isEqualTo(takedownHoldsBefore);
    assertThat(db.dsl().fetchCount(BLACKLIST_ENTRY)).as("blacklist entries").isEqualTo(blacklistBefore);
    assertThat(db.dsl().select(HOLDER.OFFENCE_COUNT).from(HOLDER).where(HOLDER.ID.eq(holder.holderId()))
        .fetchSingle(HOLDER.OFFENCE_COUNT)).isZero();
    assertThat(policyVersion()).as("policy version").isEqualTo(versionBefore);
    assertThat(db.dsl().fetchCount(AUDIT_EVENT)).as("audit events").isEqualTo(auditBefore);
    assertThat(db.dsl().fetchCount(DOMAIN, DOMAIN.NAME.eq("outage-mid.cn"))).as("the cut-off registration").isZero();
    assertThat(db.dsl().fetchCount(REQUEST_LOG, REQUEST_LOG.REQUEST_ID.in(takedownId, registerId)))
        .as("request-id claims of the cut-off calls").isZero();

    // Retried with the same request id, the takedown applies whole, as one new version.
    var order = takedown(takedownId, holder.firstName(), "outage-big");
    assertThat(order.getDomainsSuspended()).isEqualTo(20_000);
    assertThat(order.getPolicyVersion()).isGreaterThan(versionBefore);
    assertThat(db.dsl().fetchCount(DOMAIN_HOLD, DOMAIN_HOLD.TAKEDOWN_ID.isNotNull()))
        .isEqualTo(takedownHoldsBefore + 20_000);
    assertThat(register(registerId, "outage-mid.cn", "outage-c", 3).getName()).isEqualTo("outage-mid.cn");
  }

  // --- calls, each with a deadline well past the pool's wait ---

  static Domain register(String requestId, String name, String handle, long person) {
    return r.registrar(r.registrarA).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .registerDomain(RegisterDomainRequest.newBuilder().setRequestId(requestId).setDomain(name)
            .setRegistrant(registrant(handle, person(880_100 + person))).setYears(1).build());
  }

  static org.serverhold.api.v1.Takedown takedown(String requestId, String name, String caseNumber) {
    return r.enforcement(r.regulator).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .takedown(TakedownRequest.newBuilder().setRequestId(requestId).setDomain(name).setAuthority("bureau")
            .setCaseNumber(caseNumber).setReason("outage test").build());
  }

  static Domain getDomain(String name) {
    return r.registrar(r.registrarA).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
        .getDomain(GetDomainRequest.newBuilder().setDomain(name).build());
  }

  /**
   * Waits (bounded) for the registry to answer again, by itself. HikariCP backs off between
   * connection attempts during an outage (up to 5 s), so the first calls after the server is back
   * may still be UNAVAILABLE (never anything else); within 60 s one must succeed.
   */
  static void awaitRecovery() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      try {
        getDomain("outage-probe.cn");
        return;
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          return; // the database answered
        }
        assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(System.currentTimeMillis()).as("the registry did not recover within 60 s").isLessThan(deadline);
        Thread.sleep(200);
      }
    }
  }

  static Object get(Future<?> f) {
    try {
      return f.get(2 * CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The call fails with UNAVAILABLE: not INTERNAL, and not DEADLINE_EXCEEDED (it did not hang). */
  static void assertUnavailable(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call should have failed").isNotNull();
    assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  // --- the database server, straight ---

  static Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/" + EmbeddedMariaDb.DATABASE
        + "?sslMode=DISABLED", "root", "");
  }

  /** Waits (bounded) until another connection is in a locking read ({@code ... for update}) of {@code table}. */
  static void awaitLockingRead(Connection watcher, String table) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    List<String> seen = new ArrayList<>();
    while (System.currentTimeMillis() < deadline) {
      seen.clear();
      try (Statement st = watcher.createStatement();
          ResultSet rs = st.executeQuery("select state, info from information_schema.processlist"
              + " where id <> connection_id() and command = 'Query' and info is not null")) {
        while (rs.next()) {
          String info = rs.getString(2).toLowerCase(java.util.Locale.ROOT);
          seen.add(rs.getString(1) + ": " + info);
          if (info.contains(table) && info.contains("for update")) {
            return;
          }
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no locking read of " + table + " appeared; running: " + seen);
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // its server was killed
    }
  }

  static long count(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** kill -9 of mariadbd: no shutdown, no flush beyond what InnoDB's log already has. */
  static void killServer() {
    ProcessHandle.of(EmbeddedMariaDb.pid(home)).ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    });
  }

  static long policyVersion() {
    return db.dsl().select(POLICY_HEAD.VERSION).from(POLICY_HEAD).fetchSingle(POLICY_HEAD.VERSION);
  }

  static Map<String, Long> checksums() {
    Map<String, Long> sums = new TreeMap<>();
    for (String table : db.dsl().fetch("show tables").getValues(0, String.class)) {
      sums.put(table, db.dsl().fetchOne("checksum table `" + table + "`").get(1, Long.class));
    }
    return sums;
  }
}
