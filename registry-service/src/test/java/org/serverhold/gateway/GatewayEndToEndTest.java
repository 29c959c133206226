package org.serverhold.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.serverhold.registry.testing.Fixtures.filing;
import static org.serverhold.registry.testing.Fixtures.person;
import static org.serverhold.registry.testing.Fixtures.registrant;
import static org.serverhold.registry.testing.Fixtures.rid;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.api.v1.LiftTakedownRequest;
import org.serverhold.api.v1.RegisterDomainRequest;
import org.serverhold.api.v1.TakedownRequest;
import org.serverhold.api.v1.UpsertFilingRequest;
import org.serverhold.api.v1.VerifyRegistrantRequest;
import org.serverhold.demo.DemoAuthority;
import org.serverhold.registry.RegistryServer;
import org.serverhold.registry.config.RegistryConfig;
import org.serverhold.registry.testing.TestRegistry;
import org.serverhold.resolver.ResolverApp;
import org.serverhold.resolver.ResolverConfig;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The whole path a DNS operator relies on: a registry (real gRPC, real database) feeds a
 * gateway (real UDP/TCP) that forwards to an upstream server. A takedown issued by gRPC makes the
 * gateway deny every domain of the holder; a lift restores them; the gateway keeps its last
 * policy while the registry is down, resumes when it is back, and serves its persisted policy
 * at once after a restart without the registry.
 */
class GatewayEndToEndTest {
  static TestRegistry r;
  static RegistryServer fixedPortServer;
  static int registryPort;
  static DemoAuthority upstream;
  static Path dir;
  static ResolverApp gateway;

  static final String ZONE = """
      filed-a.cn.        60 IN A 192.0.2.1
      filed-b.com.cn.    60 IN A 192.0.2.2
      other-holder.cn.   60 IN A 192.0.2.3
      unfiled.cn.        60 IN A 192.0.2.4
      www.filed-a.cn.    60 IN CNAME unfiled.cn.
      example.com.       60 IN A 192.0.2.5
      """;

  @BeforeAll
  static void start() throws Exception {
    r = new TestRegistry();
    registryPort = freePort();
    fixedPortServer = serverOn(registryPort);
    upstream = DemoAuthority.start(ZONE);
    dir = Files.createTempDirectory("serverhold-gw");
    var reg = r.registrar(r.registrarA);
    for (String name : List.of("filed-a.cn", "filed-b.com.cn")) {
      reg.registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain(name)
          .setRegistrant(registrant("gw-holder", person(4242))).setYears(1).build());
    }
    reg.registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain("other-holder.cn")
        .setRegistrant(registrant("gw-other", person(4243))).setYears(1).build());
    reg.registerDomain(RegisterDomainRequest.newBuilder().setRequestId(rid()).setDomain("unfiled.cn")
        .setRegistrant(registrant("gw-other", person(4243))).setYears(1).build());
    for (String handle : List.of("gw-holder", "gw-other")) {
      reg.verifyRegistrant(VerifyRegistrantRequest.newBuilder().setRequestId(rid()).setRegistrantHandle(handle)
          .setEvidenceRef("in person").build());
    }
    r.filing(r.filingAuthority).upsertFiling(UpsertFilingRequest.newBuilder().setRequestId(rid())
        .setFiling(filing("京ICP备30000001号-1", "filed-a.cn", "filed-b.com.cn", "other-holder.cn")).build());
    gateway = startGateway();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.close();
    fixedPortServer.close();
    r.close();
  }

  static RegistryServer serverOn(int port) {
    return new RegistryServer(new RegistryConfig("127.0.0.1", port, null, RegistryConfig.DEFAULT_ZONES, null, null, null,
        false), r.registry, r.registry.extraServices());
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static ResolverApp startGateway() throws Exception {
    Properties p = new Properties();
    p.setProperty("listen", "127.0.0.1:0");
    p.setProperty("upstreams", "127.0.0.1:" + upstream.port());
    p.setProperty("registry.target", "127.0.0.1:" + registryPort);
    p.setProperty("registry.token", r.resolver);
    p.setProperty("registry.backoff.min-ms", "50");
    p.setProperty("registry.backoff.max-ms", "500");
    p.setProperty("policy.file", dir.resolve("policy.bin").toString());
    p.setProperty("policy.zones", "cn,com.cn,net.cn,org.cn,xn--fiqs8s");
    return ResolverApp.start(ResolverConfig.fromProperties(p, dir));
  }

  static Message query(String name) throws Exception {
    InetSocketAddress at = gateway.gateway().addresses().getFirst();
    SimpleResolver dns = new SimpleResolver(at);
    dns.setTimeout(Duration.ofSeconds(3));
    dns.setEDNS(0, 1232, 0, List.of());
    return dns.send(Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, 1)));
  }

  static boolean resolves(String name) throws Exception {
    Message m = query(name);
    return m.getRcode() == Rcode.NOERROR && !m.getSection(1).isEmpty();
  }

  /** Waits, bounded, until {@code name} resolves (or not); returns how long it took in ms, or -1. */
  static long awaitResolution(String name, boolean expected, long timeoutMs) throws Exception {
    long t0 = System.nanoTime();
    while ((System.nanoTime() - t0) / 1_000_000 < timeoutMs) {
      if (resolves(name) == expected) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(5);
    }
    return -1;
  }

  static String edeText(Message m) {
    var opt = m.getOPT();
    if (opt == null) {
      return "";
    }
    return opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).stream()
        .map(o -> ((ExtendedErrorCodeOption) o).getErrorCode() + " " + ((ExtendedErrorCodeOption) o).getText())
        .findFirst().orElse("");
  }

  @Test
  void aTakedownByGrpcIsEnforcedByTheGatewayAndALiftRestoresIt() throws Exception {
    assertThat(awaitResolution("filed-a.cn", true, 10_000)).as("filed-a.cn resolves once the policy arrived").isNotNegative();
    assertThat(resolves("filed-b.com.cn")).isTrue();
    assertThat(resolves("unfiled.cn")).isFalse();
    assertThat(resolves("www.filed-a.cn")).as("a filed name whose CNAME leads to an unfiled one").isFalse();
    Message unfiled = query("unfiled.cn");
    assertThat(unfiled.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(edeText(unfiled)).startsWith("16 ").contains("NOT_FILED");
    assertThat(resolves("nobody-registered.cn")).isFalse();
    assertThat(resolves("example.com")).as("outside our zones").isTrue();

    var order = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid()).setDomain("filed-a.cn")
        .setAuthority("bureau").setCaseNumber("GW-1").setReason("e2e").build());
    long tA = awaitResolution("filed-a.cn", false, 5_000);
    long tB = awaitResolution("filed-b.com.cn", false, 5_000);
    System.out.printf("takedown visible at the gateway after %d ms (target), %d ms (cascade)%n", tA, tB);
    assertThat(tA).isNotNegative();
    assertThat(tB).isNotNegative();
    assertThat(edeText(query("filed-b.com.cn"))).contains("TAKEDOWN").contains("GW-1");
    assertThat(resolves("other-holder.cn")).as("another holder is untouched").isTrue();

    r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(order.getTakedownId()).setAuthority("court").setReason("appeal").build());
    assertThat(awaitResolution("filed-a.cn", true, 5_000)).isNotNegative();
    assertThat(awaitResolution("filed-b.com.cn", true, 5_000)).isNotNegative();
  }

  @Test
  void theGatewayOutlivesTheRegistryAndServesItsPersistedPolicyAfterARestart() throws Exception {
    assertThat(awaitResolution("other-holder.cn", true, 10_000)).isNotNegative();
    fixedPortServer.close(); // the registry is gone
    assertThat(resolves("other-holder.cn")).as("last known policy still served").isTrue();
    assertThat(resolves("unfiled.cn")).isFalse();

    // a change made while the gateway cannot hear it
    var order = r.enforcement(r.regulator).takedown(TakedownRequest.newBuilder().setRequestId(rid())
        .setDomain("other-holder.cn").setAuthority("bureau").setCaseNumber("GW-2").setReason("while away").build());
    assertThat(resolves("other-holder.cn")).isTrue();

    fixedPortServer = serverOn(registryPort); // back: the gateway resumes from its version
    assertThat(awaitResolution("other-holder.cn", false, 15_000)).as("resumed and applied the missed change").isNotNegative();

    // the gateway restarts while the registry is down: the persisted policy is served at once
    fixedPortServer.close();
    gateway.close();
    gateway = startGateway();
    assertThat(resolves("other-holder.cn")).isFalse();
    assertThat(resolves("unfiled.cn")).isFalse();
    fixedPortServer = serverOn(registryPort);
    r.enforcement(r.regulator).liftTakedown(LiftTakedownRequest.newBuilder().setRequestId(rid())
        .setTakedownId(order.getTakedownId()).setAuthority("court").setReason("appeal").build());
    assertThat(awaitResolution("other-holder.cn", true, 15_000)).isNotNegative();
  }
}
