package org.serverhold.resolver.dnsjava;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.PolicyEntry;
import org.serverhold.resolver.testing.TestAuthServer;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

class PolicyResolverTest {
  private TestAuthServer upstream;
  private PolicyResolver resolver;

  @BeforeEach
  void setUp() throws Exception {
    upstream = new TestAuthServer(List.of(
        TestAuthServer.zone("cn.", "filed A 192.0.2.1", "held A 192.0.2.3", "alias CNAME evil.example.com."),
        TestAuthServer.zone("example.com.", "evil A 198.51.100.1")));
    PolicyEngine engine = new PolicyEngine();
    PolicyEngine.SnapshotLoader l = engine.beginSnapshot(1, List.of("cn"), 4);
    l.add(PolicyEntry.allow("filed.cn"));
    l.add(PolicyEntry.allow("alias.cn"));
    l.add(PolicyEntry.domain("held.cn", DenyReason.TAKEDOWN, "case 5"));
    l.add(PolicyEntry.flag("evil.example.com", false, "F-1"));
    l.install();
    SimpleResolver simple = new SimpleResolver(upstream.address());
    simple.setTimeout(Duration.ofSeconds(10));
    resolver = new PolicyResolver(simple, engine);
    resolver.setEDNS(0, 1232, 0, List.of());
  }

  @AfterEach
  void tearDown() throws Exception {
    upstream.close();
  }

  private Message send(String name) throws Exception {
    return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
  }

  @Test
  void allowedNamesPassThrough() throws Exception {
    Message m = send("filed.cn.");
    assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(m.getSection(Section.ANSWER)).extracting(Record::rdataToString).containsExactly("192.0.2.1");
  }

  @Test
  void aDeniedQueryNameIsAnsweredLocallyWithoutAskingUpstream() throws Exception {
    int before = upstream.udpQueries();
    Message q = Message.newQuery(Record.newRecord(Name.fromString("held.cn."), Type.A, DClass.IN));
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    Message m = resolver.send(q);
    assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) m.getOPT()
        .getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).getFirst();
    assertThat(ede.getErrorCode()).isEqualTo(16);
    assertThat(ede.getText()).isEqualTo("serverhold: TAKEDOWN case 5");
    assertThat(upstream.udpQueries()).isEqualTo(before);
  }

  @Test
  void aChainThroughAFlaggedNameIsDenied() throws Exception {
    Message m = send("alias.cn.");
    assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    Message async = resolver.sendAsync(Message.newQuery(Record.newRecord(Name.fromString("alias.cn."), Type.A,
        DClass.IN))).toCompletableFuture().get();
    assertThat(async.getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void lookupThroughThePolicyResolverSeesTheDenial() throws Exception {
    Lookup lookup = new Lookup(Name.fromString("held.cn."), Type.A);
    lookup.setResolver(resolver);
    lookup.setCache(null);
    lookup.run();
    assertThat(lookup.getResult()).isEqualTo(Lookup.HOST_NOT_FOUND);
    Lookup ok = new Lookup(Name.fromString("filed.cn."), Type.A);
    ok.setResolver(resolver);
    ok.setCache(null);
    ok.run();
    assertThat(ok.getResult()).isEqualTo(Lookup.SUCCESSFUL);
  }
}
