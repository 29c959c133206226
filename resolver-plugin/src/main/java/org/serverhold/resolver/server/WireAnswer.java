package org.serverhold.resolver.server;

import java.util.List;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A cached answer as wire bytes, made once when it is stored: a cache hit copies the bytes and
 * patches the ID, the flags, the question name (the query's own spelling, 0x20 case included,
 * same length) and the TTLs, where building and serializing dnsjava records for every hit was
 * most of a hit's cost. Serves exactly what {@code QueryHandler.fromCache} builds.
 */
final class WireAnswer {
  private final byte[] template;
  private final int questionEnd;
  private final int[] ttlOffsets;
  private final long[] ttls;

  private WireAnswer(byte[] template, int questionEnd, int[] ttlOffsets, long[] ttls) {
    this.template = template;
    this.questionEnd = questionEnd;
    this.ttlOffsets = ttlOffsets;
    this.ttls = ttls;
  }

  /**
   * The template of an answer to the question named {@code lowerName} (wire form, terminal zero
   * included); null when the upstream's answer has no matching question (the full path serves it).
   */
  static WireAnswer of(byte[] lowerName, Record question, int rcode, List<AnswerCache.Stored> answer,
      List<AnswerCache.Stored> authority, List<AnswerCache.Stored> additional) {
    if (question == null || question.getName().length() != lowerName.length) {
      return null;
    }
    Message m = new Message(0);
    m.getHeader().setRcode(rcode & 0xf);
    m.addRecord(question, Section.QUESTION);
    for (AnswerCache.Stored s : answer) {
      m.addRecord(s.at(0), Section.ANSWER);
    }
    for (AnswerCache.Stored s : authority) {
      m.addRecord(s.at(0), Section.AUTHORITY);
    }
    for (AnswerCache.Stored s : additional) {
      m.addRecord(s.at(0), Section.ADDITIONAL);
    }
    byte[] t = m.toWire();
    int records = answer.size() + authority.size() + additional.size();
    if (WireQuery.u16(t, 6) + WireQuery.u16(t, 8) + WireQuery.u16(t, 10) != records) {
      return null; // dnsjava merged or dropped something: do not guess
    }
    int questionEnd = Header.LENGTH + lowerName.length + 4;
    int[] offsets = new int[records];
    long[] ttls = new long[records];
    int pos = questionEnd;
    for (int i = 0; i < records; i++) {
      while (true) { // owner name: labels, ended by a zero or a compression pointer
        int b = t[pos] & 0xff;
        if (b == 0) {
          pos++;
          break;
        }
        if ((b & 0xc0) == 0xc0) {
          pos += 2;
          break;
        }
        pos += b + 1;
      }
      offsets[i] = pos + 4;
      ttls[i] = ((long) WireQuery.u16(t, pos + 4) << 16) | WireQuery.u16(t, pos + 6);
      pos += 10 + WireQuery.u16(t, pos + 8);
    }
    return new WireAnswer(t, questionEnd, offsets, ttls);
  }

  /** The template with TTLs less {@code elapsedSeconds}, parsed: one section's records (the full path). */
  List<Record> records(int section, long elapsedSeconds) {
    byte[] b = template.clone();
    patchTtls(b, elapsedSeconds);
    try {
      return new Message(b).getSection(section);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a wire answer made by dnsjava does not parse", e);
    }
  }

  private void patchTtls(byte[] out, long elapsedSeconds) {
    for (int i = 0; i < ttlOffsets.length; i++) {
      long ttl = Math.max(0, ttls[i] - elapsedSeconds);
      int o = ttlOffsets[i];
      out[o] = (byte) (ttl >>> 24);
      out[o + 1] = (byte) (ttl >>> 16);
      out[o + 2] = (byte) (ttl >>> 8);
      out[o + 3] = (byte) ttl;
    }
  }

  /**
   * This answer for {@code query}: its ID and question, RD and CD as asked, AD as
   * {@code fromCache} sets it, TTLs less {@code elapsedSeconds}, and an OPT record when the query
   * had EDNS.
   */
  byte[] render(byte[] query, WireQuery q, long elapsedSeconds, boolean authenticated, int udpPayload) {
    if (q.questionEnd() != questionEnd) {
      return null;
    }
    int n = template.length;
    byte[] out = java.util.Arrays.copyOf(template, q.edns() ? n + 11 : n);
    System.arraycopy(query, 0, out, 0, 2); // ID
    System.arraycopy(query, Header.LENGTH, out, Header.LENGTH, questionEnd - Header.LENGTH); // question as asked
    boolean cd = (query[3] & 0x10) != 0;
    boolean ad = authenticated && (q.dnssecOk() || (query[3] & 0x20) != 0);
    out[2] = (byte) (0x80 | (query[2] & 0x01)); // QR, RD as asked
    out[3] = (byte) (0x80 | (ad ? 0x20 : 0) | (cd ? 0x10 : 0) | (template[3] & 0x0f)); // RA, AD, CD, rcode
    patchTtls(out, elapsedSeconds);
    if (q.edns()) {
      int arcount = WireQuery.u16(out, 10) + 1;
      out[10] = (byte) (arcount >>> 8);
      out[11] = (byte) arcount;
      out[n + 2] = (byte) Type.OPT; // root owner, TYPE 41
      out[n + 3] = (byte) (udpPayload >>> 8);
      out[n + 4] = (byte) udpPayload;
      out[n + 7] = (byte) (q.dnssecOk() ? 0x80 : 0); // DO echoed; ext-rcode, version, rdlen 0
    }
    return out;
  }
}
