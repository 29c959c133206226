package org.serverhold.resolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.api.v1.DenyReason;
import org.serverhold.resolver.denial.DenialKind;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.testing.TestAuthServer;
import org.serverhold.resolver.testing.TestPolicyService;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

class ResolverAppTest {
  @TempDir
  Path dir;

  @Test
  void configKeysAreParsedAndUnknownKeysRejected() throws Exception {
    Files.writeString(dir.resolve("token"), "tok-123\n");
    Properties p = new Properties();
    p.setProperty("listen", "127.0.0.1:0, [::1]:5300");
    p.setProperty("upstreams", "192.0.2.53, 192.0.2.54:5353");
    p.setProperty("denial.TAKEDOWN.action", "redirect");
    p.setProperty("denial.TAKEDOWN.redirect", "192.0.2.80 2001:db8::80");
    p.setProperty("denial.FLAGGED.ede", "17");
    p.setProperty("registry.target", "registry.example:8443");
    p.setProperty("registry.token-file", "token");
    p.setProperty("registry.tls", "true");
    p.setProperty("policy.file", "state/policy.bin");
    p.setProperty("policy.fail-mode", "open");
    p.setProperty("policy.zones", "cn,com.cn");
    p.setProperty("metrics.listen", "127.0.0.1:9153");
    ResolverConfig c = ResolverConfig.fromProperties(p, dir);
    assertThat(c.gateway().listen()).hasSize(2);
    assertThat(c.gateway().upstreams()).containsExactly(new InetSocketAddress("192.0.2.53", 53),
        new InetSocketAddress("192.0.2.54", 5353));
    assertThat(c.gateway().denials().actionFor(org.serverhold.resolver.policy.DenyReason.TAKEDOWN).kind())
        .isEqualTo(DenialKind.REDIRECT);
    assertThat(c.gateway().denials().actionFor(org.serverhold.resolver.policy.DenyReason.FLAGGED).edeCode())
        .isEqualTo(17);
    assertThat(c.gateway().denials().actionFor(org.serverhold.resolver.policy.DenyReason.NOT_FILED).kind())
        .isEqualTo(DenialKind.NXDOMAIN);
    assertThat(c.sync().token()).isEqualTo("tok-123");
    assertThat(c.sync().tls()).isTrue();
    assertThat(c.policyFile()).isEqualTo(dir.resolve("state/policy.bin"));
    assertThat(c.failMode()).isEqualTo(FailMode.OPEN);
    assertThat(c.bootstrapZones()).containsExactly("cn", "com.cn");

    p.setProperty("denial.TAKEDOWN.acton", "REFUSED");
    assertThatThrownBy(() -> ResolverConfig.fromProperties(p, dir)).hasMessageContaining("denial.TAKEDOWN.acton");
  }

  private static Message query(ResolverApp app, String name) throws Exception {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), app.gateway().port()));
    r.setTimeout(Duration.ofSeconds(10));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  /** Registry feed, gateway and persistence together, started from one configuration file. */
  @Test
  void aGatewayFollowsTheRegistryAndSurvivesItsAbsence() throws Exception {
    try (TestAuthServer upstream = new TestAuthServer(List.of(TestAuthServer.zone("cn.", "filed A 192.0.2.1",
        "other A 192.0.2.2")));
        TestPolicyService registry = new TestPolicyService(10, "cn").start()) {
      registry.seed(TestPolicyService.allow("filed.cn"), TestPolicyService.allow("other.cn"));
      Path config = dir.resolve("resolver.properties");
      Files.writeString(config, String.join("\n",
          "listen=127.0.0.1:0",
          "upstreams=127.0.0.1:" + upstream.address().getPort(),
          "registry.target=" + registry.target(),
          "registry.token=tok",
          "registry.backoff.min-ms=5",
          "registry.backoff.max-ms=100",
          "resolver.id=gw-e2e",
          "policy.file=policy.bin",
          "policy.zones=cn",
          "denial.log=denials.log",
          "metrics.listen=127.0.0.1:0"));

      try (ResolverApp app = ResolverApp.start(ResolverConfig.load(config))) {
        assertThat(app.engine().awaitVersion(10, Duration.ofSeconds(20))).isTrue();
        assertThat(query(app, "filed.cn.").getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(query(app, "other.cn.").getRcode()).isEqualTo(Rcode.NOERROR);

        long v = registry.commit(10, TestPolicyService.put(TestPolicyService.deny("other.cn", DenyReason.DENY_TAKEDOWN,
            "case 9")));
        assertThat(app.engine().awaitVersion(v, Duration.ofSeconds(20))).isTrue();
        assertThat(query(app, "other.cn.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(app.sync().awaitPersisted(v, Duration.ofSeconds(20))).isTrue();

        registry.stop();
        assertThat(query(app, "filed.cn.").getRcode()).as("registry down: still serving").isEqualTo(Rcode.NOERROR);
        assertThat(query(app, "other.cn.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
      }
      // Restart while the registry is down: the persisted policy is in force before the first query.
      try (ResolverApp app = ResolverApp.start(ResolverConfig.load(config))) {
        assertThat(app.engine().version()).isEqualTo(11);
        assertThat(query(app, "other.cn.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(query(app, "filed.cn.").getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(query(app, "unknown.cn.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
      }
    }
  }
}
