package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.serverhold.resolver.policy.FailMode;
import org.serverhold.resolver.policy.PolicyEngine;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Every upstream resolver down.
 *
 * <p>Protects clients from waiting on a dead forwarder without knowing why, and the gateway from
 * piling up work, threads and memory while its upstreams are gone. Fails without the protections
 * because: without the EDE on the SERVFAIL (UpstreamErrors) the EDE assertions find no option;
 * without the per-attempt timeout the answers never come (or come after the generous bound);
 * without the in-flight cap ({@code max-in-flight}) the in-flight peak exceeds it and nothing is
 * dropped; without {@code Upstream.forget} after a timeout the pending-query table keeps all
 * 2,000 entries; blocking platform threads per query would show in the thread count.
 */
class UpstreamOutageTest {
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final Duration GENEROUS = TIMEOUT.plusSeconds(3);
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private DatagramSocket blackHole;
  private Gateway gateway;

  @AfterEach
  void tearDown() {
    if (gateway != null) {
      gateway.close();
    }
    if (blackHole != null) {
      blackHole.close();
    }
  }

  /** An upstream that receives and never answers (a dead resolver behind a firewall). */
  private InetSocketAddress blackHole() throws IOException {
    blackHole = new DatagramSocket(LOOPBACK_ANY);
    return (InetSocketAddress) blackHole.getLocalSocketAddress();
  }

  private Gateway start(List<InetSocketAddress> upstreams, int maxInFlight) throws IOException {
    PolicyEngine engine = new PolicyEngine(FailMode.OPEN, List.of());
    gateway = new Gateway(GatewayConfig.of(List.of(LOOPBACK_ANY), upstreams).withUpstreamTimeout(TIMEOUT)
        .withMaxInFlight(maxInFlight), engine, null);
    gateway.start();
    return gateway;
  }

  private static byte[] query(int id, String name) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.getHeader().setID(id);
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    return q.toWire();
  }

  private static int ede(Message m) {
    assertThat(m.getOPT()).as("OPT in the SERVFAIL").isNotNull();
    List<EDNSOption> options = m.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
    assertThat(options).hasSize(1);
    return ((ExtendedErrorCodeOption) options.getFirst()).getErrorCode();
  }

  private byte[] udp(byte[] q) throws IOException {
    try (DatagramSocket s = new DatagramSocket(LOOPBACK_ANY)) {
      s.setSoTimeout((int) GENEROUS.toMillis() + 5_000);
      s.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), gateway.port()));
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      s.receive(p);
      return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }
  }

  private byte[] tcp(byte[] q) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      s.setSoTimeout((int) GENEROUS.toMillis() + 5_000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeShort(q.length);
      out.write(q);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      return in.readNBytes(in.readUnsignedShort());
    }
  }

  @Test
  void aSilentUpstreamGivesServfailWithNoReachableAuthorityWithinTheTimeout() throws Exception {
    start(List.of(blackHole()), 10_000);
    for (boolean overTcp : new boolean[] {false, true}) {
      long t0 = System.nanoTime();
      Message m = new Message(overTcp ? tcp(query(7, "www.example.org.")) : udp(query(7, "www.example.org.")));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
      assertThat(m.getHeader().getID()).isEqualTo(7);
      assertThat(ede(m)).isEqualTo(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY);
      assertThat(took).as("answered within the upstream timeout (generous bound)").isLessThan(GENEROUS);
    }
    // Without EDNS in the query there is no OPT to carry the EDE: plain SERVFAIL.
    Message plain = Message.newQuery(Record.newRecord(Name.fromString("x.example.org."), Type.A, DClass.IN));
    Message m = new Message(udp(plain.toWire()));
    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(m.getOPT()).isNull();
  }

  @Test
  void twoDeadUpstreamsGiveServfailWithAnExtendedErrorWithinTheirTimeouts() throws Exception {
    InetSocketAddress closedPort;
    try (DatagramSocket s = new DatagramSocket(LOOPBACK_ANY)) {
      closedPort = (InetSocketAddress) s.getLocalSocketAddress(); // nobody listens there any more (ICMP)
    }
    start(List.of(closedPort, blackHole()), 10_000);
    long t0 = System.nanoTime();
    Message m = new Message(udp(query(9, "www.example.net.")));
    assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
    assertThat(ede(m)).isIn(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY, ExtendedErrorCodeOption.NETWORK_ERROR);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(3));
  }

  @Test
  void twoThousandQueriesAtADeadUpstreamDoNotPileUp() throws Exception {
    int maxInFlight = 500;
    start(List.of(blackHole()), maxInFlight);
    assertThat(new Message(udp(query(1, "warm.example.org."))).getRcode()).isEqualTo(Rcode.SERVFAIL);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int baselineThreads = threads.getThreadCount();

    AtomicInteger peakInFlight = new AtomicInteger();
    AtomicInteger peakThreads = new AtomicInteger(baselineThreads);
    ConcurrentLinkedQueue<byte[]> answers = new ConcurrentLinkedQueue<>();
    try (DatagramSocket client = new DatagramSocket(LOOPBACK_ANY)) {
      client.setReceiveBufferSize(4 << 20);
      client.setSoTimeout(200);
      Thread receiver = Thread.ofPlatform().start(() -> receive(client, answers, System.nanoTime()
          + GENEROUS.toNanos() + 10_000_000_000L));
      Thread sampler = Thread.ofPlatform().daemon().start(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          peakInFlight.accumulateAndGet(gateway.metrics().inFlight(), Math::max);
          peakThreads.accumulateAndGet(threads.getThreadCount(), Math::max);
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      for (int i = 0; i < 2_000; i++) {
        byte[] q = query(i, "q" + i + ".example.org.");
        client.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), gateway.port()));
        if (i % 50 == 49) {
          Thread.sleep(2); // paced so the kernel's socket buffers do not drop what the gateway must see
        }
      }
      // Everything in flight ends within the timeout: nothing stays, nothing leaks.
      long deadline = System.nanoTime() + GENEROUS.toNanos() + 5_000_000_000L;
      while ((gateway.metrics().inFlight() > 0 || gateway.upstreamPending() > 0) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      sampler.interrupt();
      receiver.join();
    }

    GatewayMetrics m = gateway.metrics();
    assertThat(m.inFlight()).as("in-flight back to zero").isZero();
    assertThat(gateway.upstreamPending()).as("no pending upstream query left behind").isZero();
    assertThat(peakInFlight.get()).as("in flight never above max-in-flight").isLessThanOrEqualTo(maxInFlight);
    assertThat(m.droppedCount()).as("beyond the cap, queries were dropped, not queued").isPositive();
    assertThat(peakThreads.get() - baselineThreads).as("platform threads added under load").isLessThan(32);
    // Every query is counted when received; those over the cap are dropped, the rest answered.
    long received = m.queries(Transport.UDP);
    assertThat(m.responses(Rcode.SERVFAIL)).as("every query not dropped answered SERVFAIL")
        .isEqualTo(received - m.droppedCount());
    assertThat(received).as("no query counted twice").isLessThanOrEqualTo(2_001);
    assertThat(answers.size()).as("answers received").isGreaterThanOrEqualTo(maxInFlight - 100);
    for (byte[] a : answers) {
      Message r = new Message(a);
      assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
      assertThat(ede(r)).isEqualTo(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY);
    }
  }

  private static void receive(DatagramSocket s, ConcurrentLinkedQueue<byte[]> into, long deadlineNanos) {
    byte[] buf = new byte[2048];
    int quietRounds = 0;
    while (System.nanoTime() < deadlineNanos && quietRounds < 15) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        into.add(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        quietRounds = 0;
      } catch (SocketTimeoutException e) {
        quietRounds++; // 15 x 200 ms of silence: done
      } catch (IOException e) {
        return;
      }
    }
  }
}
