package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Per-client response-rate limiting (rrl.responses-per-second / rrl.slip).
 *
 * <p>Protects third parties from being flooded with our answers to queries spoofed from their
 * address, and the gateway and its upstreams from one client's flood, without hurting other
 * clients. Without the limiter every query of a burst is answered in full (the "limited" counts
 * below are then zero and the assertions on them fail); with a limiter keyed per address instead
 * of per network, the second client of the same /24 (or /56) would get fresh tokens and its
 * assertion fails; a limiter shared by all clients makes the "other network" assertion fail.
 */
class ResponseRateLimitTest {
  private HandlerHarness harness;
  private Gateway gateway;

  @AfterEach
  void tearDown() throws IOException {
    if (gateway != null) {
      gateway.close();
    }
    if (harness != null) {
      harness.close();
    }
  }

  private static byte[] query(int id, String name) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.getHeader().setID(id);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    return q.toWire();
  }

  /** Counts of what a burst got back: full answers, truncated (slip) answers, nothing. */
  private record Outcome(int answered, int slipped, int dropped) {}

  private Outcome burst(String client, int n, Transport transport) throws IOException {
    int answered = 0;
    int slipped = 0;
    int dropped = 0;
    InetAddress from = InetAddress.getByName(client);
    for (int i = 0; i < n; i++) {
      byte[] q = query(i, "unfiled.cn."); // denied locally: no upstream round trip
      byte[] out = harness.handler.handle(q, from, transport);
      if (out == null) {
        dropped++;
        continue;
      }
      Message m = new Message(out);
      assertThat(m.getHeader().getID()).isEqualTo(i);
      if (m.getHeader().getFlag(Flags.TC)) {
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getQuestion().getName()).isEqualTo(Name.fromString("unfiled.cn."));
        assertThat(out.length).as("a slip answer is no larger than the query").isLessThanOrEqualTo(q.length);
        slipped++;
      } else {
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        answered++;
      }
    }
    return new Outcome(answered, slipped, dropped);
  }

  @Test
  void aBurstFromOneNetworkIsLimitedWhileAnotherNetworkIsAnsweredInFull() throws Exception {
    harness = HandlerHarness.withTestUpstream(Duration.ofMillis(500));
    AtomicLong now = new AtomicLong(1_000_000_000L); // a frozen clock: no refill during the burst
    harness.handler.rateLimiter(new ResponseRateLimiter(new RateLimit(10, 2), now::get));

    Outcome flood = burst("192.0.2.1", 100, Transport.UDP);
    assertThat(flood).as("10 tokens, then every 2nd limited answer slips (TC=1), the rest is dropped")
        .isEqualTo(new Outcome(10, 45, 45));
    assertThat(harness.metrics.rrlSlipped()).isEqualTo(45);
    assertThat(harness.metrics.rrlDropped()).isEqualTo(45);

    assertThat(burst("192.0.2.200", 4, Transport.UDP).answered()).as("same /24 shares the bucket").isZero();
    assertThat(burst("198.51.100.7", 10, Transport.UDP)).as("another network is unaffected")
        .isEqualTo(new Outcome(10, 0, 0));
    assertThat(burst("192.0.2.1", 20, Transport.TCP)).as("TCP (the way out of a slip) is not limited")
        .isEqualTo(new Outcome(20, 0, 0));

    // IPv6: one bucket per /56.
    assertThat(burst("2001:db8:0:100::1", 12, Transport.UDP).answered()).isEqualTo(10);
    assertThat(burst("2001:db8:0:1ff::2", 3, Transport.UDP).answered()).as("same /56").isZero();
    assertThat(burst("2001:db8:0:200::1", 3, Transport.UDP).answered()).as("next /56").isEqualTo(3);

    now.addAndGet(500_000_000L); // half a second refills half the bucket
    assertThat(burst("192.0.2.1", 20, Transport.UDP).answered()).isEqualTo(5);
  }

  @Test
  void theTableOfClientNetworksStaysBoundedUnderASpoofedSourceFlood() throws Exception {
    AtomicLong now = new AtomicLong();
    ResponseRateLimiter rrl = new ResponseRateLimiter(new RateLimit(5, 0), now::get);
    byte[] a = new byte[4];
    for (int i = 0; i < 3 * ResponseRateLimiter.MAX_TRACKED; i++) {
      a[0] = (byte) (10 + (i >>> 16));
      a[1] = (byte) (i >>> 8);
      a[2] = (byte) i;
      rrl.admit(InetAddress.getByAddress(a));
    }
    // Without the bound, one bucket per spoofed /24: 196,608 of them.
    assertThat(rrl.tracked()).isLessThanOrEqualTo(ResponseRateLimiter.MAX_TRACKED + 1);
    // Idle networks (full again after a second) are swept to make room for new ones.
    now.addAndGet(2_000_000_000L);
    assertThat(rrl.admit(InetAddress.getByName("203.0.113.1"))).isEqualTo(ResponseRateLimiter.Verdict.ANSWER);
    assertThat(rrl.tracked()).isLessThan(ResponseRateLimiter.MAX_TRACKED);
  }

  @Test
  void overUdpTheGatewayLimitsOneFloodingClientAndStillAnswersAnother() throws Exception {
    harness = HandlerHarness.withTestUpstream(Duration.ofMillis(500)); // only its upstream is used
    InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    gateway = new Gateway(GatewayConfig.of(List.of(any), List.of(harness.upstream.address()))
        .withRateLimit(new RateLimit(5, 2)), harness.engine, null);
    gateway.start();

    int[] flood = exchange("127.0.0.1", 60);
    // 5 tokens plus whatever refilled while sending (5 per second): generous bound on elapsed time.
    assertThat(flood[0]).as("full answers to the flooding client").isBetween(1, 20);
    assertThat(flood[1]).as("truncated (slip) answers").isPositive();
    assertThat(gateway.metrics().rrlDropped()).isPositive();

    int[] other = exchange("127.0.1.1", 5); // another /24 of the loopback range
    assertThat(other).as("the other client gets every answer in full").containsExactly(5, 0);
    assertThat(gateway.metrics().render(harness.engine, null))
        .containsPattern("serverhold_dns_rrl_dropped_total [1-9]")
        .containsPattern("serverhold_dns_rrl_slipped_total [1-9]");
  }

  /** Sends {@code n} queries from {@code source}; returns {full answers, truncated answers}. */
  private int[] exchange(String source, int n) throws IOException {
    int full = 0;
    int tc = 0;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0))) {
      for (int i = 0; i < n; i++) {
        byte[] q = query(i, "unfiled.cn.");
        s.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), gateway.port()));
      }
      s.setSoTimeout(1500);
      byte[] buf = new byte[2048];
      try {
        while (true) {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          s.receive(p);
          Message m = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
          if (m.getHeader().getFlag(Flags.TC)) {
            tc++;
          } else {
            full++;
          }
        }
      } catch (SocketTimeoutException e) {
        // all in
      }
    }
    return new int[] {full, tc};
  }
}
