package org.serverhold.resolver.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.serverhold.resolver.denial.DenialAction;
import org.serverhold.resolver.denial.DenialKind;
import org.serverhold.resolver.denial.DenialPolicy;
import org.serverhold.resolver.denial.DenialResponder;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.PolicyEntry;
import org.serverhold.resolver.testing.TestAuthServer;

/**
 * The gateway's packet path without sockets in front of it: the same {@link QueryHandler} the
 * UDP and TCP listeners call, with a real {@link UpstreamPool} forwarding to a
 * {@link TestAuthServer} on loopback (or to any address given, e.g. one that never answers).
 *
 * <p>Policy: {@code filed.cn}, {@code alias.cn} (CNAME to a flagged name), {@code chain.cn} and
 * {@code big.cn} allowed; {@code unfiled.cn} NOT_FILED; {@code held.cn} TAKEDOWN with a 200
 * character reference (longer than any EDE text that fits the size bound); {@code redirect.cn}
 * HOLDER_BLACKLISTED, answered by REDIRECT to four IPv4 and four IPv6 notice addresses;
 * {@code evil.example.com} and the subtree {@code bad.example.com} FLAGGED.
 */
final class HandlerHarness implements AutoCloseable {
  static final String LONG_REFERENCE = "case 2026-" + "\u5341".repeat(20) + "x".repeat(170);
  static final InetAddress CLIENT = InetAddress.getLoopbackAddress();

  final TestAuthServer upstream;
  final PolicyEngine engine;
  final GatewayMetrics metrics = new GatewayMetrics();
  final UpstreamPool pool;
  final QueryHandler handler;

  private HandlerHarness(TestAuthServer upstream, InetSocketAddress upstreamAddress, Duration timeout)
      throws IOException {
    this.upstream = upstream;
    this.engine = policy();
    this.pool = new UpstreamPool(List.of(upstreamAddress), 2, timeout, metrics);
    this.handler = new QueryHandler(engine, new AnswerCache(10_000, Duration.ofHours(1), System::nanoTime), pool,
        new DenialResponder(denials(), 1232), null, metrics, 1232, Clock.systemUTC());
  }

  /** Forwarding to a {@link TestAuthServer} holding the zones of the policy above. */
  static HandlerHarness withTestUpstream(Duration timeout) throws IOException {
    TestAuthServer auth = testUpstream();
    return new HandlerHarness(auth, auth.address(), timeout);
  }

  /** The authoritative data behind the policy above. */
  static TestAuthServer testUpstream() throws IOException {
    return new TestAuthServer(List.of(
        TestAuthServer.zone("cn.", "filed A 192.0.2.1", "www.filed A 192.0.2.1", "unfiled A 192.0.2.2",
            "held A 192.0.2.3", "alias CNAME evil.example.com.", "chain CNAME target.example.com.",
            "dn DNAME bad.example.com.", bigTxt()),
        TestAuthServer.zone("example.com.", "evil A 198.51.100.1", "x.bad A 198.51.100.2",
            "target A 198.51.100.3")));
  }

  /** Forwarding to {@code upstream}, which may be dead. */
  static HandlerHarness withUpstream(InetSocketAddress upstream, Duration timeout) throws IOException {
    return new HandlerHarness(null, upstream, timeout);
  }

  static DenialPolicy denials() {
    try {
      List<InetAddress> notice = List.of(
          InetAddress.getByName("192.0.2.10"), InetAddress.getByName("192.0.2.11"),
          InetAddress.getByName("192.0.2.12"), InetAddress.getByName("192.0.2.13"),
          InetAddress.getByName("2001:db8::10"), InetAddress.getByName("2001:db8::11"),
          InetAddress.getByName("2001:db8::12"), InetAddress.getByName("2001:db8::13"));
      return new DenialPolicy(DenialAction.DEFAULT, Map.of(
          DenyReason.HOLDER_BLACKLISTED, new DenialAction(DenialKind.REDIRECT, 16, notice, 60),
          DenyReason.FLAGGED, new DenialAction(DenialKind.REFUSED, 16, List.of(), 60)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static PolicyEngine policy() {
    PolicyEngine engine = new PolicyEngine(FailMode.CLOSED, List.of("cn"));
    PolicyEngine.SnapshotLoader l = engine.beginSnapshot(1, List.of("cn"), 16);
    for (String allowed : List.of("filed.cn", "alias.cn", "chain.cn", "dn.cn", "big.cn")) {
      l.add(PolicyEntry.allow(allowed));
    }
    l.add(PolicyEntry.domain("unfiled.cn", DenyReason.NOT_FILED, "rule 1"));
    l.add(PolicyEntry.domain("held.cn", DenyReason.TAKEDOWN, LONG_REFERENCE));
    l.add(PolicyEntry.domain("redirect.cn", DenyReason.HOLDER_BLACKLISTED, "H-1"));
    l.add(PolicyEntry.flag("evil.example.com", false, "F-1"));
    l.add(PolicyEntry.flag("bad.example.com", true, "F-2"));
    l.install();
    return engine;
  }

  private static String bigTxt() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      sb.append("big TXT \"").append("y".repeat(100)).append(i).append("\"\n");
    }
    return sb.toString().strip();
  }

  @Override
  public void close() throws IOException {
    pool.close();
    if (upstream != null) {
      upstream.close();
    }
  }
}
