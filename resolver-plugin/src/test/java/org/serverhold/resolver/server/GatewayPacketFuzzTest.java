package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.serverhold.resolver.denial.DenialAction;
import org.serverhold.resolver.denial.DenialResponder;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Coverage-guided fuzzing of the gateway's packet handling: arbitrary bytes go to
 * {@link QueryHandler#handle}, the very call the UDP and TCP listeners make for each datagram or
 * TCP message, over both transports, with a real upstream pool forwarding to a test server.
 *
 * <p>Protects: the server loops against packets that crash or wedge them, clients against
 * malformed answers, and third parties against reflection amplification. It fails when
 * <ul>
 *   <li>any exception or error escapes {@code handle} (without the handler's validation, a
 *       dnsjava parse error or a bad count would throw out of it and kill a TCP connection or
 *       leak out of a UDP worker);</li>
 *   <li>the handler's last-resort catch is reached ({@link GatewayMetrics#internalErrors}): that
 *       net turns a bug into SERVFAIL, and a bug is what we fuzz for;</li>
 *   <li>an answer does not parse as DNS, is not a response (QR), has another id than the
 *       query, or exceeds the UDP size over UDP;</li>
 *   <li>an answer the gateway made up itself (no cache or upstream involved: denials, FORMERR,
 *       REFUSED, NOTIMP, BADVERS) is larger than the query plus
 *       {@link DenialResponder#MAX_GROWTH} (64) bytes, plus 16/28 bytes per redirect A/AAAA
 *       record with at most four of each. Without the EDE trimming in DenialResponder, the
 *       200-character TAKEDOWN reference of {@code held.cn} alone breaks this bound.</li>
 * </ul>
 *
 * <p>{@code mvn verify} replays only the seed corpus in
 * {@code src/test/resources/org/serverhold/resolver/server/GatewayPacketFuzzTestInputs/packetHandling}
 * (regression mode, a second or so). Real fuzzing, bounded by {@code maxDuration}:
 * {@code mvn -B -pl resolver-plugin test -Pfuzz} (sets JAZZER_FUZZ=1 and selects this class);
 * a finding is written to that folder: fix it and commit it as a regression seed.
 */
class GatewayPacketFuzzTest {
  private static HandlerHarness harness;

  // The upstream connections (loopback) do not trip Jazzer's SSRF detector: junit-platform.properties
  // keeps Jazzer's hooks out of java.**, so java.net.Socket is not hooked.
  @BeforeAll
  static void startHarness() throws IOException {
    harness = HandlerHarness.withTestUpstream(Duration.ofMillis(250));
  }

  @AfterAll
  static void stopHarness() throws IOException {
    harness.close();
  }

  @FuzzTest(maxDuration = "60s")
  void packetHandling(byte[] packet) {
    for (Transport transport : Transport.values()) {
      check(packet, transport);
    }
  }

  private static void check(byte[] packet, Transport transport) {
    GatewayMetrics m = harness.metrics;
    long hits = m.cacheHits();
    long misses = m.cacheMisses();
    long internal = m.internalErrors();

    byte[] out = harness.handler.handle(packet.clone(), HandlerHarness.CLIENT, transport);

    assertThat(m.internalErrors()).as("last-resort catch reached for %s", hex(packet)).isEqualTo(internal);
    if (out == null) {
      return; // dropped: shorter than a header, or not a query
    }
    Message answer;
    try {
      answer = new Message(out);
    } catch (IOException | RuntimeException e) {
      fail("answer is not well-formed DNS: " + hex(out) + " for query " + hex(packet), e);
      return;
    }
    Header h = answer.getHeader();
    assertThat(h.getFlag(Flags.QR)).as("QR on the answer").isTrue();
    assertThat(h.getID()).as("answer id").isEqualTo(((packet[0] & 0xff) << 8) | (packet[1] & 0xff));
    if (transport == Transport.UDP) {
      assertThat(out.length).as("UDP answer size").isLessThanOrEqualTo(1232);
    }
    boolean local = m.cacheHits() == hits && m.cacheMisses() == misses;
    if (local) {
      int a = 0;
      int aaaa = 0;
      for (Record r : answer.getSection(Section.ANSWER)) {
        a += r.getType() == Type.A ? 1 : 0;
        aaaa += r.getType() == Type.AAAA ? 1 : 0;
      }
      assertThat(a).as("redirect A records").isLessThanOrEqualTo(DenialAction.MAX_REDIRECT_PER_FAMILY);
      assertThat(aaaa).as("redirect AAAA records").isLessThanOrEqualTo(DenialAction.MAX_REDIRECT_PER_FAMILY);
      assertThat(out.length).as("local answer size for a %d-byte query %s", packet.length, hex(packet))
          .isLessThanOrEqualTo(DenialResponder.sizeBound(packet.length, answer));
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b, 0, Math.min(b.length, 600));
  }
}
