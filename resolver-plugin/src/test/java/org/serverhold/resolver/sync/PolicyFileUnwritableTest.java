package org.serverhold.resolver.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.resolver.testing.TestPolicyService.allow;
import static org.serverhold.resolver.testing.TestPolicyService.deny;
import static org.serverhold.resolver.testing.TestPolicyService.put;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.server.Gateway;
import org.serverhold.resolver.server.GatewayConfig;
import org.serverhold.resolver.testing.TestAuthServer;
import org.serverhold.resolver.testing.TestPolicyService;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The policy file cannot be written (the disk is read-only or full, permissions changed, a
 * misconfigured path).
 *
 * <p>Protects: the last good policy on disk (a restart must find a whole, valid file, not a
 * half-written one) and enforcement (takedowns keep being applied and served while the disk is
 * broken). Without the write-to-temporary-then-rename in PolicyFile the previous bytes would be
 * truncated or half-replaced (the "same bytes" assertions fail); if a failed write stopped the
 * feed, or the persister thread died on it, the engine would stay at the old version and the
 * takedown would not be served (the version and NXDOMAIN assertions fail); without the counter
 * and the log line the failure would be silent (those assertions fail).
 */
class PolicyFileUnwritableTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Logger persisterLog = Logger.getLogger(PolicyPersister.class.getName());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logged.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private Path madeImmutable;

  @BeforeEach
  void captureLogs() {
    persisterLog.addHandler(capture);
  }

  @AfterEach
  void tearDown() throws Exception {
    persisterLog.removeHandler(capture);
    if (madeImmutable != null) {
      makeWritable(madeImmutable);
    }
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  private PolicySync sync(TestPolicyService registry, PolicyEngine engine, Path file) {
    PolicySync sync = new PolicySync(SyncConfig.insecure(registry.target(), "gw-test", file)
        .withBackoff(Duration.ofMillis(5), Duration.ofMillis(100)), engine);
    closing.add(sync);
    return sync;
  }

  private TestPolicyService registry() throws Exception {
    TestPolicyService r = new TestPolicyService(1, "cn").start();
    closing.add(r);
    r.seed(allow("a.cn"), allow("b.cn"), deny("c.cn", DenyReason.DENY_NOT_FILED, "rule 1"));
    return r;
  }

  @Test
  void aReadOnlyDirectoryKeepsTheLastFileWhileChangesAreAppliedAndServed() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    Path file = state.resolve("policy.bin");
    TestPolicyService registry = registry();
    PolicyEngine engine = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
    PolicySync sync = sync(registry, engine, file);
    sync.start();
    assertThat(engine.awaitVersion(1, WAIT)).isTrue();
    assertThat(sync.awaitPersisted(1, WAIT)).isTrue();
    byte[] before = Files.readAllBytes(file);
    List<Path> listing = list(state);

    makeReadOnly(state);
    registry.commit(10, put(deny("a.cn", DenyReason.DENY_TAKEDOWN, "case 9")));
    registry.commit(10, put(allow("new.cn")));

    // Applied in memory and served by a gateway, although nothing can be written.
    assertThat(engine.awaitVersion(3, WAIT)).isTrue();
    try (TestAuthServer upstream = new TestAuthServer(List.of(TestAuthServer.zone("cn.", "a A 192.0.2.1",
        "new A 192.0.2.2")))) {
      InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
      try (Gateway gateway = new Gateway(GatewayConfig.of(List.of(any), List.of(upstream.address())), engine, sync)) {
        gateway.start();
        assertThat(resolve(gateway, "a.cn.").getRcode()).as("the takedown is served").isEqualTo(Rcode.NXDOMAIN);
        assertThat(resolve(gateway, "new.cn.").getRcode()).isEqualTo(Rcode.NOERROR);
        awaitFailures(sync, 2); // the first try and at least one retry
        assertThat(gateway.metrics().render(engine, sync))
            .containsPattern("serverhold_policy_persist_failures_total [1-9]");
      }
    }
    assertThat(sync.awaitPersisted(3, Duration.ofMillis(200))).isFalse();
    assertThat(Files.readAllBytes(file)).as("the previous file, byte for byte").isEqualTo(before);
    assertThat(list(state)).as("no temporary file left behind").isEqualTo(listing);
    assertLoggedOnceAsWarning();

    // Once the directory is writable again, the newest version is written by the retry.
    makeWritable(state);
    assertThat(sync.awaitPersisted(3, WAIT)).isTrue();
    PolicyEngine reloaded = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
    assertThat(new PolicyFile(file).loadInto(reloaded)).contains(3L);
    assertThat(reloaded.decide("a.cn").denied()).isTrue();
  }

  @Test
  void aPolicyPathUnderARegularFileFailsCountedAndTheFeedGoesOn() throws Exception {
    Path blocker = Files.writeString(dir.resolve("not-a-directory"), "an operator's file\n");
    byte[] blockerBytes = Files.readAllBytes(blocker);
    TestPolicyService registry = registry();
    PolicyEngine engine = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
    PolicySync sync = sync(registry, engine, blocker.resolve("policy.bin"));
    sync.start();
    assertThat(engine.awaitVersion(1, WAIT)).isTrue();
    registry.commit(10, put(deny("b.cn", DenyReason.DENY_TAKEDOWN, "case 10")));
    assertThat(engine.awaitVersion(2, WAIT)).isTrue();
    assertThat(engine.decide("b.cn").denied()).isTrue();
    awaitFailures(sync, 1);
    assertThat(Files.readAllBytes(blocker)).isEqualTo(blockerBytes);
    assertThat(list(dir)).containsExactly(blocker);
    assertThat(logged).anyMatch(r -> r.getLevel() == Level.WARNING
        && r.getMessage().contains("could not persist policy version"));
  }

  private void assertLoggedOnceAsWarning() {
    List<LogRecord> warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
    assertThat(warnings).as("one warning per streak of failures, not one per retry").hasSize(1);
    assertThat(warnings.getFirst().getMessage()).contains("could not persist policy version")
        .contains("the previous file is kept");
  }

  private static void awaitFailures(PolicySync sync, long n) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (sync.persistFailures() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(sync.persistFailures()).as("persist failures counted").isGreaterThanOrEqualTo(n);
  }

  private static Message resolve(Gateway gateway, String name) throws IOException {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()));
    r.setTimeout(Duration.ofSeconds(10));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  private static List<Path> list(Path d) throws IOException {
    try (var s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  /**
   * chmod 555; as root (CI runs as root) permissions do not stop writes, so the directory is
   * also made immutable (chattr +i), which stops root too. Skipped where neither works.
   */
  private void makeReadOnly(Path d) throws Exception {
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("r-xr-xr-x"));
    if (canCreateIn(d)) {
      madeImmutable = d;
      run("chattr", "+i", d.toString());
    }
    Assumptions.assumeFalse(canCreateIn(d), "cannot make a directory unwritable on this machine");
  }

  private void makeWritable(Path d) throws Exception {
    if (madeImmutable != null) {
      run("chattr", "-i", d.toString());
      madeImmutable = null;
    }
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static boolean canCreateIn(Path d) {
    try {
      Files.delete(Files.createTempFile(d, "probe", ".tmp"));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(String... command) throws InterruptedException {
    try {
      new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start().waitFor();
    } catch (IOException e) {
      // no such tool here: the assumption above decides
    }
  }
}
