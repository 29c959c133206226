package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.serverhold.resolver.denial.DenialResponder;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.testing.TestAuthServer;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The gateway's fast path (denials and cache hits written as bytes) must answer every query
 * byte for byte as the full dnsjava path does: same rcode, flags, question spelling, records,
 * TTLs, EDNS and EDE, size bound and truncation. Queries of every shape the fast path takes
 * (with and without EDNS, DO, CD, RD, 0x20 mixed case, UDP and TCP) and some it must refuse
 * (REDIRECT denials, denied chains, answers too big for the client) are run through a handler
 * with the fast path and one without, sharing the policy and the answer cache.
 */
class FastPathTest {
  private static final Clock CLOCK = Clock.fixed(java.time.Instant.parse("2026-11-29T08:00:00Z"),
      java.time.ZoneOffset.UTC);

  @Test
  void fastAnswersAreByteForByteTheFullPathsAnswers() throws Exception {
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    try (TestAuthServer auth = HandlerHarness.testUpstream()) {
      PolicyEngine engine = HandlerHarness.policy();
      GatewayMetrics metrics = new GatewayMetrics();
      UpstreamPool pool = new UpstreamPool(List.of(auth.address()), 2, Duration.ofSeconds(2), metrics);
      AnswerCache cache = new AnswerCache(10_000, Duration.ofHours(1), nanos::get);
      DenialResponder responder = new DenialResponder(HandlerHarness.denials(), 1232);
      QueryHandler full = new QueryHandler(engine, cache, pool, responder, null, metrics, 1232, CLOCK, false);
      QueryHandler fast = new QueryHandler(engine, cache, pool, responder, null, metrics, 1232, CLOCK, true);
      String[] names = {"filed.cn", "FiLeD.cN", "www.filed.cn", "chain.cn", "unfiled.cn", "held.cn", "UnFiled.CN",
          "nobody.cn", "evil.example.com", "x.bad.example.com", "redirect.cn", "alias.cn", "dn.cn", "big.cn",
          "nx.example.com", "target.example.com"};
      int[] types = {Type.A, Type.AAAA, Type.TXT};
      int fastAnswered = 0;
      int compared = 0;
      List<String> fallbacks = new ArrayList<>();
      for (String name : names) {
        for (int type : types) {
          for (int edns : new int[] {-1, 512, 1232, 4096}) {
            for (int variant = 0; variant < 8; variant++) {
              boolean dnssecOk = (variant & 1) != 0 && edns > 0;
              boolean cd = (variant & 2) != 0;
              boolean rd = (variant & 4) == 0;
              byte[] packet = query(name, type, edns, dnssecOk, cd, rd, compared);
              // The full path first, so the answer is cached when the fast path sees it.
              full.handle(packet, HandlerHarness.CLIENT, Transport.UDP);
              for (Transport t : Transport.values()) {
                nanos.addAndGet(3_400_000_000L); // TTLs count down between answers
                byte[] expected = full.handle(packet, HandlerHarness.CLIENT, t);
                WireQuery q = WireQuery.parse(packet);
                assertThat(q).as("plain query shape: %s", name).isNotNull();
                byte[] got = fast.fastAnswer(q, packet, HandlerHarness.CLIENT, t);
                compared++;
                if (got == null) {
                  fallbacks.add(name + "/" + Type.string(type) + "/" + edns + "/" + t);
                  continue;
                }
                fastAnswered++;
                assertThat(HexFormat.of().formatHex(got))
                    .as("%s %s edns=%d DO=%s CD=%s RD=%s over %s:%n%s", name, Type.string(type), edns, dnssecOk, cd,
                        rd, t, new Message(expected))
                    .isEqualTo(HexFormat.of().formatHex(expected));
              }
            }
          }
        }
      }
      // The fast path must carry most of this traffic, and must leave the cases it cannot do.
      assertThat(fastAnswered).isGreaterThan(compared / 2);
      assertThat(fallbacks).anyMatch(f -> f.startsWith("redirect.cn/")) // REDIRECT records: full path
          .anyMatch(f -> f.startsWith("alias.cn/")) // a denied name in the chain: full path logs "via"
          .anyMatch(f -> f.startsWith("big.cn/TXT/-1/UDP")) // too big for 512 bytes: truncated by the full path
          .noneMatch(f -> f.startsWith("filed.cn/A/")) // a plain cache hit is never left to the full path
          .noneMatch(f -> f.startsWith("unfiled.cn/")); // nor a plain denial
      pool.close();
    }
  }

  /** Queries the fast path must not take: they go to the full path untouched. */
  @Test
  void unusualShapesAreLeftToTheFullPath() throws Exception {
    byte[] plain = query("filed.cn", Type.A, 1232, false, false, true, 7);
    assertThat(WireQuery.parse(plain)).isNotNull();
    byte[] trailing = java.util.Arrays.copyOf(plain, plain.length + 1);
    assertThat(WireQuery.parse(trailing)).as("bytes after the OPT record").isNull();
    byte[] badVersion = plain.clone();
    badVersion[badVersion.length - 11 + 6] = 1;
    assertThat(WireQuery.parse(badVersion)).as("EDNS version 1 (BADVERS)").isNull();
    byte[] notify = plain.clone();
    notify[2] = (byte) (4 << 3);
    assertThat(WireQuery.parse(notify)).as("opcode NOTIFY").isNull();
    byte[] chaos = query("filed.cn", Type.A, -1, false, false, true, 7);
    chaos[chaos.length - 1] = 3;
    assertThat(WireQuery.parse(chaos)).as("class CH").isNull();
    byte[] axfr = query("filed.cn", Type.AXFR, -1, false, false, true, 7);
    assertThat(WireQuery.parse(axfr)).as("AXFR").isNull();
    byte[] pointer = query("filed.cn", Type.A, -1, false, false, true, 7);
    pointer[12] = (byte) 0xc0;
    assertThat(WireQuery.parse(pointer)).as("compressed question name").isNull();
    assertThat(WireQuery.parse(java.util.Arrays.copyOf(plain, 20))).as("truncated").isNull();
  }

  private static byte[] query(String name, int type, int edns, boolean dnssecOk, boolean cd, boolean rd, int id)
      throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, org.xbill.DNS.DClass.IN));
    m.getHeader().setID(id & 0xffff);
    if (!rd) {
      m.getHeader().unsetFlag(Flags.RD);
    }
    if (cd) {
      m.getHeader().setFlag(Flags.CD);
    }
    if (edns > 0) {
      m.addRecord(new OPTRecord(edns, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
    }
    return m.toWire();
  }
}
