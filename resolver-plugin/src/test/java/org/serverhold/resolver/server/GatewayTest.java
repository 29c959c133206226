package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serverhold.resolver.denial.DenialAction;
import org.serverhold.resolver.denial.DenialKind;
import org.serverhold.resolver.denial.DenialPolicy;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.policy.PolicyChange;
import org.serverhold.resolver.policy.PolicyChangeset;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.PolicyEntry;
import org.serverhold.resolver.testing.TestAuthServer;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

class GatewayTest {
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @TempDir
  Path dir;

  private TestAuthServer upstream;
  private PolicyEngine engine;
  private Gateway gateway;

  @BeforeEach
  void setUp() throws Exception {
    StringBuilder big = new StringBuilder();
    upstream = new TestAuthServer(List.of(
        TestAuthServer.zone("cn.",
            "filed A 192.0.2.1", "www.filed A 192.0.2.1", "unfiled A 192.0.2.2", "held A 192.0.2.3",
            "nobody A 192.0.2.4", "alias CNAME evil.example.com.", "alias2 CNAME www.unfiled.cn.",
            "www.unfiled A 192.0.2.2", "dn DNAME bad.example.com.", "chain CNAME target.example.com.",
            "fine CNAME ok.example.com.", "gone A 192.0.2.5", bigTxt("big")),
        TestAuthServer.zone("example.com.",
            "evil A 198.51.100.1", "x.bad A 198.51.100.2", "target A 198.51.100.3", "ok A 198.51.100.4")));
    engine = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
    PolicyEngine.SnapshotLoader l = engine.beginSnapshot(1, List.of("cn"), 16);
    for (String allowed : List.of("filed.cn", "alias.cn", "alias2.cn", "dn.cn", "chain.cn", "fine.cn", "big.cn")) {
      l.add(PolicyEntry.allow(allowed));
    }
    l.add(PolicyEntry.domain("unfiled.cn", DenyReason.NOT_FILED, "rule 1"));
    l.add(PolicyEntry.domain("held.cn", DenyReason.TAKEDOWN, "case 2026-123"));
    l.add(PolicyEntry.flag("evil.example.com", false, "F-1"));
    l.add(PolicyEntry.flag("bad.example.com", true, "F-2"));
    l.install();
  }

  private static String bigTxt(String owner) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append(owner).append(" TXT \"").append(String.valueOf((char) ('a' + i % 26)).repeat(100)).append(i)
          .append("\"\n");
    }
    return sb.toString().strip();
  }

  private Gateway start(GatewayConfig config) throws IOException {
    gateway = new Gateway(config, engine, null);
    gateway.start();
    return gateway;
  }

  private GatewayConfig config() {
    return GatewayConfig.of(List.of(LOOPBACK_ANY), List.of(upstream.address()))
        .withDenialLog(dir.resolve("denials.log"))
        .withMetrics(LOOPBACK_ANY);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    upstream.close();
  }

  private Message query(String name, int type, boolean tcp, boolean edns) throws IOException {
    SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port()));
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(10));
    if (edns) {
      r.setEDNS(0, 1232, 0, List.of());
    } else {
      r.setEDNS(-1);
    }
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
  }

  private static ExtendedErrorCodeOption ede(Message m) {
    OPTRecord opt = m.getOPT();
    assertThat(opt).as("OPT in answer").isNotNull();
    List<EDNSOption> options = opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
    assertThat(options).hasSize(1);
    return (ExtendedErrorCodeOption) options.getFirst();
  }

  private static List<String> addresses(Message m) {
    return m.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord || r instanceof AAAARecord)
        .map(Record::rdataToString).toList();
  }

  @Test
  void allowedNamesResolveOverUdpAndTcp() throws Exception {
    start(config());
    for (boolean tcp : new boolean[] {false, true}) {
      Message m = query("www.filed.cn.", Type.A, tcp, true);
      assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
      assertThat(addresses(m)).containsExactly("192.0.2.1");
      assertThat(m.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)).isEmpty();
      assertThat(m.getHeader().getFlag(Flags.RA)).isTrue();
    }
    Message outside = query("ok.example.com.", Type.A, false, false);
    assertThat(addresses(outside)).containsExactly("198.51.100.4");
    Message chain = query("fine.cn.", Type.A, false, true);
    assertThat(addresses(chain)).as("allowed chain to an unflagged name").containsExactly("198.51.100.4");
    Message nx = query("missing.filed.cn.", Type.A, false, true);
    assertThat(nx.getRcode()).as("upstream NXDOMAIN passes through").isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void deniedNamesGetTheDefaultNxdomainWithCensoredEde() throws Exception {
    start(config());
    Map<String, String> expected = Map.of(
        "unfiled.cn.", "serverhold: NOT_FILED rule 1",
        "www.held.cn.", "serverhold: TAKEDOWN case 2026-123",
        "evil.example.com.", "serverhold: FLAGGED F-1",
        "deep.x.bad.example.com.", "serverhold: FLAGGED F-2",
        "nobody.cn.", "serverhold: NOT_REGISTERED");
    for (var e : expected.entrySet()) {
      for (boolean tcp : new boolean[] {false, true}) {
        Message m = query(e.getKey(), Type.A, tcp, true);
        assertThat(m.getRcode()).as(e.getKey()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(ede(m).getErrorCode()).isEqualTo(ExtendedErrorCodeOption.CENSORED);
        assertThat(ede(m).getText()).isEqualTo(e.getValue());
      }
    }
    Message plain = query("unfiled.cn.", Type.A, false, false);
    assertThat(plain.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(plain.getOPT()).as("no EDNS in the query, none in the answer").isNull();
    assertThat(gateway.metrics().denials(DenyReason.NOT_FILED)).isEqualTo(3);
  }

  @Test
  void denialActionsAreConfigurablePerReason() throws Exception {
    DenialPolicy denials = new DenialPolicy(DenialAction.DEFAULT, Map.of(
        DenyReason.NOT_FILED, new DenialAction(DenialKind.NODATA, 16, List.of(), 60),
        DenyReason.FLAGGED, new DenialAction(DenialKind.REFUSED, 15, List.of(), 60),
        DenyReason.TAKEDOWN, new DenialAction(DenialKind.REDIRECT, 16,
            List.of(InetAddress.getByName("192.0.2.99"), InetAddress.getByName("2001:db8::99")), 30)));
    start(config().withDenials(denials));

    Message nodata = query("unfiled.cn.", Type.A, false, true);
    assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(nodata.getSection(Section.ANSWER)).isEmpty();

    Message refused = query("evil.example.com.", Type.A, false, true);
    assertThat(refused.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(ede(refused).getErrorCode()).isEqualTo(15);

    Message a = query("held.cn.", Type.A, false, true);
    assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(addresses(a)).containsExactly("192.0.2.99");
    assertThat(a.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(30);
    assertThat(ede(a).getText()).isEqualTo("serverhold: TAKEDOWN case 2026-123");
    Message aaaa = query("www.held.cn.", Type.AAAA, true, true);
    assertThat(addresses(aaaa)).containsExactly("2001:db8:0:0:0:0:0:99");
    Message mx = query("held.cn.", Type.MX, false, true);
    assertThat(mx.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(mx.getSection(Section.ANSWER)).isEmpty();

    Message other = query("nobody.cn.", Type.A, false, true);
    assertThat(other.getRcode()).as("unlisted reasons use the default").isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void aFiledNameWhoseChainLeadsToADeniedNameIsDenied() throws Exception {
    start(config());
    Message flagged = query("alias.cn.", Type.A, false, true);
    assertThat(flagged.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(flagged.getSection(Section.ANSWER)).as("the chain is not leaked").isEmpty();
    assertThat(ede(flagged).getText()).isEqualTo("serverhold: FLAGGED F-1");

    Message unfiled = query("alias2.cn.", Type.A, true, true);
    assertThat(unfiled.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(ede(unfiled).getText()).isEqualTo("serverhold: NOT_FILED rule 1");

    Message dname = query("x.dn.cn.", Type.A, false, true);
    assertThat(dname.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(ede(dname).getText()).isEqualTo("serverhold: FLAGGED F-2");
  }

  @Test
  void aCachedChainIsCheckedAgainAfterAPolicyChange() throws Exception {
    start(config());
    assertThat(addresses(query("chain.cn.", Type.A, false, true))).containsExactly("198.51.100.3");
    long hitsBefore = gateway.metrics().cacheHits();
    assertThat(addresses(query("chain.cn.", Type.A, false, true))).containsExactly("198.51.100.3");
    assertThat(gateway.metrics().cacheHits()).as("second answer came from the cache").isEqualTo(hitsBefore + 1);
    int upstreamQueries = upstream.udpQueries();

    engine.apply(new PolicyChangeset(2, List.of(new PolicyChange.Put(PolicyEntry.flag("target.example.com", false,
        "F-3"))), null, "takedown"));

    Message denied = query("chain.cn.", Type.A, false, true);
    assertThat(denied.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(ede(denied).getText()).isEqualTo("serverhold: FLAGGED F-3");
    assertThat(gateway.metrics().cacheHits()).as("served from the cache, still re-checked").isEqualTo(hitsBefore + 2);
    assertThat(upstream.udpQueries()).isEqualTo(upstreamQueries);

    // A takedown of a cached name itself is enforced at once as well.
    assertThat(addresses(query("filed.cn.", Type.A, false, true))).containsExactly("192.0.2.1");
    engine.apply(new PolicyChangeset(3, List.of(new PolicyChange.Put(PolicyEntry.domain("filed.cn",
        DenyReason.TAKEDOWN, "case 7"))), null, "takedown"));
    assertThat(query("filed.cn.", Type.A, false, true).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void negativeAnswersAreCachedBySoaMinimum() throws Exception {
    start(config());
    assertThat(query("missing.filed.cn.", Type.A, false, true).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    int upstreamQueries = upstream.udpQueries();
    Message again = query("missing.filed.cn.", Type.A, false, true);
    assertThat(again.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(upstream.udpQueries()).isEqualTo(upstreamQueries);
    long ttl = again.getSection(Section.AUTHORITY).getFirst().getTTL();
    assertThat(ttl).as("SOA minimum 60 caps the negative TTL").isLessThanOrEqualTo(60);
  }

  @Test
  void bigAnswersAreTruncatedOverUdpAndCompleteOverTcp() throws Exception {
    start(config());
    // Raw UDP without EDNS: at most 512 bytes, TC set.
    byte[] wire = Message.newQuery(Record.newRecord(Name.fromString("big.cn."), Type.TXT, DClass.IN)).toWire();
    byte[] raw = udpExchange(wire);
    assertThat(raw.length).isLessThanOrEqualTo(512);
    Message truncated = new Message(raw);
    assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();

    Message viaTcp = query("big.cn.", Type.TXT, true, true);
    assertThat(viaTcp.getSection(Section.ANSWER)).hasSize(40);
    assertThat(viaTcp.getHeader().getFlag(Flags.TC)).isFalse();

    // SimpleResolver over UDP sees TC and retries over TCP on the same port by itself.
    Message retried = query("big.cn.", Type.TXT, false, true);
    assertThat(retried.getSection(Section.ANSWER)).hasSize(40);
  }

  @Test
  void aDeadFirstUpstreamFailsOverToTheNext() throws Exception {
    InetSocketAddress dead;
    try (DatagramSocket s = new DatagramSocket(LOOPBACK_ANY)) {
      dead = (InetSocketAddress) s.getLocalSocketAddress(); // bound then closed: nobody answers there
    }
    start(GatewayConfig.of(List.of(LOOPBACK_ANY), List.of(dead, upstream.address()))
        .withUpstreamTimeout(Duration.ofMillis(300)));
    assertThat(addresses(query("filed.cn.", Type.A, false, true))).containsExactly("192.0.2.1");
    assertThat(addresses(query("www.filed.cn.", Type.A, true, true))).containsExactly("192.0.2.1");
  }

  @Test
  void malformedPacketsGetFormerrOrNothingAndServingGoesOn() throws Exception {
    start(config());
    // Bad label length (0x40 is no valid label type).
    byte[] badLabel = packet(0x1234, 1, 0, new byte[] {0x40, 'a', 0, 0, 1, 0, 1});
    // Compression loop: a pointer to itself.
    byte[] loop = packet(0x2345, 1, 0, new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1});
    // Counts that lie: three answers announced, none present.
    byte[] counts = packet(0x3456, 1, 3, new byte[] {3, 'f', 'o', 'o', 0, 0, 1, 0, 1});
    // A label running past the end of the packet.
    byte[] overrun = packet(0x4567, 1, 0, new byte[] {20, 'a', 'b'});
    for (byte[] p : List.of(badLabel, loop, counts, overrun)) {
      Message m = new Message(udpExchange(p));
      assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
      assertThat(m.getHeader().getID()).isEqualTo(((p[0] & 0xff) << 8) | (p[1] & 0xff));
      Message t = new Message(tcpExchange(p));
      assertThat(t.getRcode()).isEqualTo(Rcode.FORMERR);
    }
    // Shorter than a header: nothing to answer. Over TCP the server just closes the connection.
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(5);
      out.write(new byte[] {1, 2, 3, 4, 5});
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      org.assertj.core.api.Assertions.assertThatThrownBy(in::readUnsignedShort).isInstanceOf(EOFException.class);
    }
    try (DatagramSocket s = new DatagramSocket(LOOPBACK_ANY)) {
      s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, InetAddress.getLoopbackAddress(), gateway.port()));
    }
    // Still serving, both transports.
    assertThat(addresses(query("filed.cn.", Type.A, false, true))).containsExactly("192.0.2.1");
    assertThat(addresses(query("filed.cn.", Type.A, true, true))).containsExactly("192.0.2.1");
    assertThat(gateway.metrics().malformedCount()).isGreaterThanOrEqualTo(8);
  }

  @Test
  void unsupportedEdnsVersionGetsBadvers() throws Exception {
    start(config());
    Message q = Message.newQuery(Record.newRecord(Name.fromString("filed.cn."), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
    Message m = new Message(udpExchange(q.toWire()));
    assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
  }

  @Test
  void denialsAreLoggedAsJsonLinesAndCountedInMetrics() throws Exception {
    start(config());
    query("www.held.cn.", Type.A, false, true);
    query("alias.cn.", Type.AAAA, true, true);
    query("filed.cn.", Type.A, false, true);
    String metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("serverhold_dns_denials_total{reason=\"TAKEDOWN\"} 1")
        .contains("serverhold_dns_denials_total{reason=\"FLAGGED\"} 1")
        .contains("serverhold_dns_queries_total{transport=\"udp\"} 2")
        .contains("serverhold_dns_responses_total{rcode=\"NXDOMAIN\"} 2")
        .contains("serverhold_policy_version 1")
        .contains("serverhold_dns_upstream_latency_seconds_count");
    gateway.close(); // drains the log

    List<String> lines = Files.readAllLines(Path.of(dir.resolve("denials.log") + ".0"));
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("\"client\":\"127.0.0.1\"", "\"name\":\"www.held.cn.\"", "\"type\":\"A\"",
        "\"reason\":\"TAKEDOWN\"", "\"reference\":\"case 2026-123\"", "\"policy_version\":1").startsWith("{\"time\":\"");
    assertThat(lines.get(1)).contains("\"name\":\"alias.cn.\"", "\"type\":\"AAAA\"", "\"reason\":\"FLAGGED\"",
        "\"via\":\"evil.example.com.\"");
  }

  private static byte[] packet(int id, int qd, int an, byte[] body) {
    byte[] p = new byte[12 + body.length];
    p[0] = (byte) (id >> 8);
    p[1] = (byte) id;
    p[2] = 0x01; // RD
    p[5] = (byte) qd;
    p[7] = (byte) an;
    System.arraycopy(body, 0, p, 12, body.length);
    return p;
  }

  private byte[] udpExchange(byte[] wire) throws IOException {
    try (DatagramSocket s = new DatagramSocket(LOOPBACK_ANY)) {
      s.setSoTimeout(10_000);
      s.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), gateway.port()));
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      return Arrays.copyOf(p.getData(), p.getLength());
    }
  }

  private byte[] tcpExchange(byte[] wire) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      s.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      return in.readNBytes(in.readUnsignedShort());
    }
  }
}
