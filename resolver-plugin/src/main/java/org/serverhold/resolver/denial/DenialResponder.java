package org.serverhold.resolver.denial;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.serverhold.resolver.policy.Decision;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Builds the local answer to a denied query: the configured rcode or redirect, plus (only when
 * the query carried EDNS) an Extended DNS Error naming the reason and its reference, so an
 * operator or user can see why the name does not resolve.
 */
public final class DenialResponder {
  private static final int MAX_TEXT = 200;
  /**
   * Bytes a local denial answer may add to the query it answers (see {@link #sizeBound}). The
   * answer repeats the header and question and adds an OPT record with the EDE (17 bytes plus
   * the text) when the query had EDNS, whose own OPT record (11 bytes at least) it replaces; 64
   * leaves room for an EDE text of about 50 bytes. Longer texts are cut to fit.
   */
  public static final int MAX_GROWTH = 64;
  /** Wire size of one redirect A record (compressed owner name). */
  public static final int A_RECORD_BYTES = 16;
  /** Wire size of one redirect AAAA record (compressed owner name). */
  public static final int AAAA_RECORD_BYTES = 28;

  private final DenialPolicy policy;
  private final int udpPayload;

  /** @param udpPayload the payload size this server advertises in its OPT record */
  public DenialResponder(DenialPolicy policy, int udpPayload) {
    this.policy = policy;
    this.udpPayload = udpPayload;
  }

  public DenialAction actionFor(Decision decision) {
    return policy.actionFor(decision.reason());
  }

  /** The EDE text: {@code serverhold: TAKEDOWN case 2026-123}. */
  public static String text(Decision decision) {
    String t = "serverhold: " + decision.reason() + (decision.reference().isEmpty() ? "" : " " + decision.reference());
    return t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) : t;
  }

  public Message deny(Message query, Decision decision) {
    DenialAction action = actionFor(decision);
    String text = text(decision);
    Message r = build(query, action, text);
    int queryBytes = query.numBytes();
    if (query.getOPT() == null || queryBytes <= 0) {
      return r; // no EDE, nothing to trim: header + question (+ redirect records) only
    }
    // No amplification: trim the EDE text (never the code) until the answer fits the bound.
    int limit = sizeBound(queryBytes, r);
    int size = r.toWire().length;
    if (size > limit) {
      r = build(query, action, shorten(text, size - limit));
      if (r.toWire().length > limit) {
        r = build(query, action, "");
      }
    }
    return r;
  }

  /**
   * The answer {@link #deny} builds, made straight from the bytes of a query of the plain shape
   * (header, one question ending at {@code questionEnd}, then nothing or one OPT record), for the
   * actions that answer with the question alone: NXDOMAIN, NODATA and REFUSED. Null for REDIRECT,
   * whose records the full path builds. The gateway's fast path: no parsing, one allocation.
   */
  public byte[] denyWire(byte[] query, int questionEnd, boolean edns, boolean dnssecOk, Decision decision) {
    DenialAction action = actionFor(decision);
    int rcode = switch (action.kind()) {
      case NXDOMAIN -> Rcode.NXDOMAIN;
      case NODATA -> Rcode.NOERROR;
      case REFUSED -> Rcode.REFUSED;
      case REDIRECT -> -1;
    };
    if (rcode < 0) {
      return null;
    }
    byte[] text = edns ? text(decision).getBytes(StandardCharsets.UTF_8) : null;
    int optBytes = 11 + 6; // OPT record + EDE option header and info code
    if (edns && questionEnd + optBytes + text.length > query.length + MAX_GROWTH) {
      // No amplification, as in deny(): the text is cut, never the code.
      String cut = shorten(new String(text, StandardCharsets.UTF_8),
          questionEnd + optBytes + text.length - (query.length + MAX_GROWTH));
      text = cut.getBytes(StandardCharsets.UTF_8);
    }
    byte[] out = java.util.Arrays.copyOf(query, questionEnd + (edns ? optBytes + text.length : 0));
    out[2] = (byte) (0x80 | (query[2] & 0x01)); // QR, opcode QUERY, RD as asked
    out[3] = (byte) (0x80 | rcode); // RA
    out[6] = 0; // ANCOUNT, NSCOUNT, ARCOUNT
    out[7] = 0;
    out[8] = 0;
    out[9] = 0;
    out[10] = 0;
    out[11] = (byte) (edns ? 1 : 0);
    if (edns) {
      int o = questionEnd;
      out[o] = 0; // root owner
      out[o + 1] = 0;
      out[o + 2] = (byte) Type.OPT;
      out[o + 3] = (byte) (udpPayload >>> 8);
      out[o + 4] = (byte) udpPayload;
      out[o + 5] = 0; // extended rcode
      out[o + 6] = 0; // version
      out[o + 7] = (byte) (dnssecOk ? 0x80 : 0);
      out[o + 8] = 0;
      int optionLength = 2 + text.length;
      out[o + 9] = (byte) ((4 + optionLength) >>> 8);
      out[o + 10] = (byte) (4 + optionLength);
      out[o + 11] = 0;
      out[o + 12] = (byte) EDNSOption.Code.EDNS_EXTENDED_ERROR;
      out[o + 13] = (byte) (optionLength >>> 8);
      out[o + 14] = (byte) optionLength;
      out[o + 15] = (byte) (action.edeCode() >>> 8);
      out[o + 16] = (byte) action.edeCode();
      System.arraycopy(text, 0, out, o + 17, text.length);
    }
    return out;
  }

  /**
   * The largest local denial answer to a query of {@code queryBytes} bytes: the query plus
   * {@link #MAX_GROWTH}, plus, for REDIRECT, {@link #A_RECORD_BYTES} per A and
   * {@link #AAAA_RECORD_BYTES} per AAAA record of {@code answer} (at most
   * {@link DenialAction#MAX_REDIRECT_PER_FAMILY} of each, so never more than query + 240 bytes).
   */
  public static int sizeBound(int queryBytes, Message answer) {
    int bound = queryBytes + MAX_GROWTH;
    for (Record rec : answer.getSection(Section.ANSWER)) {
      if (rec.getType() == Type.A) {
        bound += A_RECORD_BYTES;
      } else if (rec.getType() == Type.AAAA) {
        bound += AAAA_RECORD_BYTES;
      }
    }
    return bound;
  }

  /** {@code text} without its last {@code excess} UTF-8 bytes, cut on a character boundary. */
  static String shorten(String text, int excess) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int keep = Math.max(0, utf8.length - excess);
    while (keep > 0 && keep < utf8.length && (utf8[keep] & 0xc0) == 0x80) {
      keep--; // do not split a multi-byte character
    }
    return new String(utf8, 0, keep, StandardCharsets.UTF_8);
  }

  private Message build(Message query, DenialAction action, String text) {
    Header qh = query.getHeader();
    Message r = new Message(qh.getID());
    Header h = r.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    h.setFlag(Flags.RA);
    Record question = query.getQuestion();
    if (question != null) {
      r.addRecord(question, Section.QUESTION);
    }
    switch (action.kind()) {
      case NXDOMAIN -> h.setRcode(Rcode.NXDOMAIN);
      case NODATA -> h.setRcode(Rcode.NOERROR);
      case REFUSED -> h.setRcode(Rcode.REFUSED);
      case REDIRECT -> {
        h.setRcode(Rcode.NOERROR);
        if (question != null && question.getDClass() == DClass.IN) {
          for (Record a : redirect(question, action)) {
            r.addRecord(a, Section.ANSWER);
          }
        }
      }
    }
    OPTRecord qopt = query.getOPT();
    if (qopt != null) {
      List<EDNSOption> options = List.of(new ExtendedErrorCodeOption(action.edeCode(), text));
      r.addRecord(new OPTRecord(udpPayload, 0, 0, qopt.getFlags() & org.xbill.DNS.ExtendedFlags.DO, options),
          Section.ADDITIONAL);
    }
    return r;
  }

  private static List<Record> redirect(Record question, DenialAction action) {
    List<Record> out = new ArrayList<>();
    int type = question.getType();
    if (type == Type.A || type == Type.ANY) {
      for (InetAddress a : action.redirectV4()) {
        out.add(new ARecord(question.getName(), DClass.IN, action.redirectTtl(), a));
      }
    }
    if (type == Type.AAAA || type == Type.ANY) {
      for (InetAddress a : action.redirectV6()) {
        out.add(new AAAARecord(question.getName(), DClass.IN, action.redirectTtl(), a));
      }
    }
    return out;
  }
}
