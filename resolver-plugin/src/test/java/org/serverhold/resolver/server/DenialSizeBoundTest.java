package org.serverhold.resolver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serverhold.resolver.denial.DenialAction;
import org.serverhold.resolver.denial.DenialKind;
import org.serverhold.resolver.denial.DenialResponder;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A denial the gateway answers itself is never much larger than the query: no reflection
 * amplification through spoofed queries for denied names.
 *
 * <p>The bound: at most query + {@link DenialResponder#MAX_GROWTH} (64) bytes; for REDIRECT also
 * 16 bytes per A and 28 per AAAA record, with at most {@link DenialAction#MAX_REDIRECT_PER_FAMILY}
 * (4) of each, so at most query + 64 + 4 x 16 (A) / + 4 x 28 (AAAA) / + 240 (ANY, both families).
 *
 * <p>Without the EDE trimming in DenialResponder, {@code held.cn}'s 200-character reference
 * (partly CJK: up to 260 UTF-8 bytes) makes answers ~270 bytes larger than the query and the
 * size assertions fail; without the four-address cap a REDIRECT to many addresses grows without
 * limit (the constructor assertion fails); without rejecting compressed question names, an 89-byte
 * query makes the gateway echo a 150-byte question.
 */
class DenialSizeBoundTest {
  private static HandlerHarness harness;

  @BeforeAll
  static void start() throws IOException {
    harness = HandlerHarness.withTestUpstream(Duration.ofMillis(250));
  }

  @AfterAll
  static void stop() throws IOException {
    harness.close();
  }

  private static List<OPTRecord> ednsVariants() throws IOException {
    List<OPTRecord> v = new ArrayList<>();
    v.add(null);
    v.add(new OPTRecord(1232, 0, 0));
    v.add(new OPTRecord(512, 0, 0, ExtendedFlags.DO));
    v.add(new OPTRecord(65535, 0, 0, 0, List.<EDNSOption>of(new CookieOption(new byte[8]),
        new ClientSubnetOption(24, InetAddress.getByName("192.0.2.0")), new GenericEDNSOption(12, new byte[468]))));
    return v;
  }

  private static byte[] query(String name, int type, OPTRecord opt) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    if (opt != null) {
      q.addRecord(opt, Section.ADDITIONAL);
    }
    return q.toWire();
  }

  @Test
  void everyLocalDenialStaysWithinTheQueryPlus64BytesAndRedirectsWithinTheirOwnBound() throws Exception {
    String longest = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + ".d" + "d".repeat(49) + ".held.cn.";
    List<String> names = List.of("unfiled.cn.", "held.cn.", "www.held.cn.", longest, "x.bad.example.com.",
        "evil.example.com.", "nobody.cn.", "alias.cn.", "redirect.cn.", "www.redirect.cn.");
    int[] types = {Type.A, Type.AAAA, Type.ANY, Type.TXT, Type.MX};
    int checked = 0;
    for (String name : names) {
      for (int type : types) {
        for (OPTRecord opt : ednsVariants()) {
          for (Transport t : Transport.values()) {
            byte[] q = query(name, type, opt);
            byte[] out = harness.handler.handle(q, HandlerHarness.CLIENT, t);
            Message a = new Message(out);
            int redirectRecords = a.getSection(Section.ANSWER).size();
            String what = name + " " + Type.string(type) + (opt == null ? "" : " edns " + opt.getPayloadSize());
            if (name.contains("redirect") && (type == Type.A || type == Type.AAAA || type == Type.ANY)) {
              assertThat(redirectRecords).as(what).isBetween(1, 8);
              int bound = q.length + 64 + (type == Type.A ? 64 : type == Type.AAAA ? 112 : 176);
              assertThat(out.length).as(what).isLessThanOrEqualTo(bound).isLessThanOrEqualTo(q.length + 240);
            } else {
              assertThat(redirectRecords).as(what).isZero();
              assertThat(out.length).as(what).isLessThanOrEqualTo(q.length + DenialResponder.MAX_GROWTH);
            }
            assertThat(out.length).isLessThanOrEqualTo(DenialResponder.sizeBound(q.length, a));
            if (opt != null) {
              assertThat(ede(a).getErrorCode()).as("the EDE code is never trimmed away").isEqualTo(16);
            }
            checked++;
          }
        }
      }
    }
    assertThat(checked).isEqualTo(names.size() * types.length * 4 * 2);
  }

  @Test
  void aLongReferenceIsCutToFitOnACharacterBoundaryNotDropped() throws Exception {
    byte[] q = query("held.cn.", Type.A, new OPTRecord(1232, 0, 0));
    Message a = new Message(harness.handler.handle(q, HandlerHarness.CLIENT, Transport.UDP));
    String text = ede(a).getText();
    String full = "serverhold: TAKEDOWN " + HandlerHarness.LONG_REFERENCE;
    assertThat(full).startsWith(text);
    assertThat(text).startsWith("serverhold: TAKEDOWN case 2026-");
    assertThat(text.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(30);
    assertThat(text).doesNotContain("\uFFFD"); // no split multi-byte character
  }

  @Test
  void aQuestionNameCompressedIntoTheHeaderGetsABareFormerrNotAnEchoedQuestion() throws Exception {
    // Found by the fuzz test in its first minute (now the seed finding-question-name-self-pointer-notimp):
    // the question name ends in a pointer to offset 4, so dnsjava reads the header's bytes and
    // then the name again as labels: an 89-byte query whose question is 150 bytes long. The
    // NOTIMP answer echoing it was 158 bytes; any echoing answer (denials included) would grow.
    byte[] q;
    try (var in = getClass().getResourceAsStream(
        "GatewayPacketFuzzTestInputs/packetHandling/finding-question-name-self-pointer-notimp")) {
      q = in.readAllBytes();
    }
    assertThat(q).hasSize(89);
    for (Transport t : Transport.values()) {
      byte[] out = harness.handler.handle(q.clone(), HandlerHarness.CLIENT, t);
      assertThat(out).hasSize(12);
      assertThat(new Message(out).getRcode()).isEqualTo(org.xbill.DNS.Rcode.FORMERR);
    }
  }

  @Test
  void moreThanFourRedirectAddressesPerFamilyAreRefusedAtConfiguration() throws Exception {
    List<InetAddress> five = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      five.add(InetAddress.getByName("192.0.2." + i));
    }
    assertThatThrownBy(() -> new DenialAction(DenialKind.REDIRECT, 16, five, 60))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4");
  }

  private static ExtendedErrorCodeOption ede(Message m) {
    assertThat(m.getOPT()).isNotNull();
    List<EDNSOption> o = m.getOPT().getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR);
    assertThat(o).hasSize(1);
    return (ExtendedErrorCodeOption) o.getFirst();
  }
}
