package org.serverhold.resolver.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Writes the seed corpus of {@link GatewayPacketFuzzTest} (committed under
 * src/test/resources/org/serverhold/resolver/server/GatewayPacketFuzzTestInputs/packetHandling):
 * valid queries with and without EDNS for every policy outcome, then the broken packets a fuzzer
 * takes long to find by itself. Regenerate with
 * {@code java -cp target/test-classes:target/classes:<dnsjava jar> org.serverhold.resolver.server.FuzzSeeds DIR}.
 */
public final class FuzzSeeds {
  private FuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : seeds().entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }

  static Map<String, byte[]> seeds() throws IOException {
    Map<String, byte[]> s = new LinkedHashMap<>();
    s.put("valid-allowed-a", query("www.filed.cn.", Type.A, null).toWire());
    s.put("valid-allowed-a-edns-do", query("filed.cn.", Type.A, new OPTRecord(1232, 0, 0, ExtendedFlags.DO)).toWire());
    s.put("valid-outside-zones", query("target.example.com.", Type.AAAA, edns()).toWire());
    s.put("valid-denied-nxdomain-edns", query("unfiled.cn.", Type.A, edns()).toWire());
    s.put("valid-denied-long-reference-edns", query("held.cn.", Type.TXT, edns()).toWire());
    s.put("valid-denied-long-reference-plain", query("www.held.cn.", Type.A, null).toWire());
    s.put("valid-redirect-any-edns", query("redirect.cn.", Type.ANY, edns()).toWire());
    s.put("valid-redirect-aaaa", query("redirect.cn.", Type.AAAA, null).toWire());
    s.put("valid-flagged-subtree-refused", query("x.bad.example.com.", Type.A, edns()).toWire());
    s.put("valid-chain-to-flagged", query("alias.cn.", Type.A, edns()).toWire());
    s.put("valid-dname-to-flagged", query("x.dn.cn.", Type.A, edns()).toWire());
    s.put("valid-big-answer-truncated", query("big.cn.", Type.TXT, null).toWire());
    s.put("valid-no-policy-name", query("nobody.cn.", Type.MX, edns()).toWire());
    s.put("edns-large-with-options", query("unfiled.cn.", Type.A, new OPTRecord(65535, 0, 0, ExtendedFlags.DO,
        List.<EDNSOption>of(new CookieOption(new byte[8]),
            new ClientSubnetOption(24, java.net.InetAddress.getByName("192.0.2.0")),
            new GenericEDNSOption(12, new byte[400])))).toWire());
    s.put("edns-tiny-payload", query("big.cn.", Type.TXT, new OPTRecord(100, 0, 0)).toWire());
    s.put("edns-version-1-badvers", query("filed.cn.", Type.A, new OPTRecord(1232, 0, 1)).toWire());
    Message twoOpt = query("filed.cn.", Type.A, edns());
    twoOpt.addRecord(new OPTRecord(512, 0, 0), Section.ADDITIONAL);
    s.put("edns-two-opt-records", twoOpt.toWire());
    Message notify = query("filed.cn.", Type.SOA, null);
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    s.put("opcode-notify", notify.toWire());
    s.put("axfr-refused", query("cn.", Type.AXFR, edns()).toWire());
    s.put("class-chaos", Message.newQuery(Record.newRecord(Name.fromString("version.bind."), Type.TXT, DClass.CH))
        .toWire());
    s.put("longest-name", query(longestName(), Type.A, edns()).toWire());

    s.put("short-5-bytes", new byte[] {1, 2, 3, 4, 5});
    s.put("header-only", packet(0x0101, 0, 0, new byte[0]));
    s.put("header-only-qd1", packet(0x0102, 1, 0, new byte[0]));
    s.put("truncated-mid-question", packet(0x0103, 1, 0, new byte[] {6, 'f', 'i', 'l', 'e', 'd', 2, 'c'}));
    s.put("truncated-mid-type", packet(0x0104, 1, 0, new byte[] {2, 'c', 'n', 0, 0}));
    s.put("compression-loop-self", packet(0x0105, 1, 0, new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1}));
    s.put("compression-loop-pair", packet(0x0106, 1, 0, new byte[] {1, 'a', (byte) 0xc0, 14, 1, 'b',
        (byte) 0xc0, 12, 0, 1, 0, 1}));
    s.put("compression-pointer-into-header", packet(0x0107, 1, 0, new byte[] {(byte) 0xc0, 4, 0, 1, 0, 1}));
    s.put("compression-pointer-forward", packet(0x0108, 1, 0, new byte[] {(byte) 0xc0, 20, 0, 1, 0, 1,
        2, 'c', 'n', 0}));
    s.put("bad-label-type-0x40", packet(0x0109, 1, 0, new byte[] {0x40, 'a', 0, 0, 1, 0, 1}));
    s.put("bad-label-type-0x80", packet(0x010a, 1, 0, new byte[] {(byte) 0x80, 'a', 0, 0, 1, 0, 1}));
    s.put("label-past-end", packet(0x010b, 1, 0, new byte[] {20, 'a', 'b'}));
    s.put("name-over-255", packet(0x010c, 1, 0, overlongName()));
    s.put("counts-lie-answers", packet(0x010d, 1, 3, new byte[] {3, 'f', 'o', 'o', 0, 0, 1, 0, 1}));
    s.put("counts-zero-questions", packet(0x010e, 0, 0, new byte[] {3, 'f', 'o', 'o', 0, 0, 1, 0, 1}));
    s.put("counts-two-questions", twoQuestions());
    s.put("counts-max", allCountsMax());
    byte[] response = query("filed.cn.", Type.A, null).toWire();
    response[2] |= (byte) 0x80;
    s.put("qr-set-response", response);
    byte[] trailing = query("filed.cn.", Type.A, edns()).toWire();
    s.put("trailing-garbage", java.util.Arrays.copyOf(trailing, trailing.length + 7));
    byte[] opt = query("unfiled.cn.", Type.A, edns()).toWire();
    opt[opt.length - 1] = 40; // OPT rdlength beyond the packet
    s.put("opt-rdlength-overrun", opt);
    return s;
  }

  private static OPTRecord edns() {
    return new OPTRecord(1232, 0, 0);
  }

  private static Message query(String name, int type, OPTRecord opt) throws IOException {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    m.getHeader().setID(0x4242);
    if (opt != null) {
      m.addRecord(opt, Section.ADDITIONAL);
    }
    return m;
  }

  private static String longestName() {
    // 3 x 63-byte labels + a 57-byte label + cn = 253 characters, 255 bytes on the wire.
    return "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57) + ".cn.";
  }

  private static byte[] overlongName() {
    byte[] b = new byte[5 * 64 + 1 + 4];
    int p = 0;
    for (int i = 0; i < 5; i++) {
      b[p++] = 63;
      for (int j = 0; j < 63; j++) {
        b[p++] = 'x';
      }
    }
    b[p++] = 0;
    b[p++] = 0;
    b[p++] = 1;
    b[p++] = 0;
    b[p] = 1;
    return b;
  }

  private static byte[] twoQuestions() {
    byte[] q = {6, 'f', 'i', 'l', 'e', 'd', 2, 'c', 'n', 0, 0, 1, 0, 1};
    byte[] body = new byte[q.length * 2];
    System.arraycopy(q, 0, body, 0, q.length);
    System.arraycopy(q, 0, body, q.length, q.length);
    return packet(0x010f, 2, 0, body);
  }

  private static byte[] allCountsMax() {
    byte[] p = packet(0x0110, 1, 0, new byte[] {2, 'c', 'n', 0, 0, 1, 0, 1});
    for (int i = 4; i < 12; i++) {
      p[i] = (byte) 0xff;
    }
    return p;
  }

  static byte[] packet(int id, int qd, int an, byte[] body) {
    byte[] p = new byte[12 + body.length];
    p[0] = (byte) (id >> 8);
    p[1] = (byte) id;
    p[2] = 0x01; // RD
    p[5] = (byte) qd;
    p[7] = (byte) an;
    System.arraycopy(body, 0, p, 12, body.length);
    return p;
  }
}
