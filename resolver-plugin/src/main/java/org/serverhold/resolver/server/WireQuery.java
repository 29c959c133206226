package org.serverhold.resolver.server;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Header;
import org.xbill.DNS.Type;

/**
 * The few facts the fast path needs from a query, read straight off its bytes: a query of the
 * plain shape every stub and resolver sends (opcode QUERY, one IN question with an uncompressed
 * name, no answer or authority records, at most one OPT record of EDNS version 0, nothing after
 * it). Anything else returns null from {@link #parse} and takes the full dnsjava path, which
 * answers the odd cases (FORMERR, BADVERS, NOTIMP, REFUSED) as before: the fast path only ever
 * sees queries that path would have parsed the same way.
 *
 * @param questionEnd offset just after the question (name, type, class)
 * @param ednsPayload the OPT record's UDP payload size; 0 when the query has no EDNS
 */
record WireQuery(int length, int questionEnd, int type, boolean edns, int ednsPayload, boolean dnssecOk) {
  private static final int QNAME = Header.LENGTH;

  /** Offset of the question name's terminal zero + 1. */
  int nameEnd() {
    return questionEnd - 4;
  }

  static WireQuery parse(byte[] p) {
    int n = p.length;
    if (n < QNAME + 5 || (p[2] & 0xf8) != 0) {
      return null; // short, a response, or an opcode other than QUERY
    }
    if (u16(p, 4) != 1 || u16(p, 6) != 0 || u16(p, 8) != 0) {
      return null;
    }
    int arcount = u16(p, 10);
    if (arcount > 1) {
      return null;
    }
    int pos = QNAME;
    while (true) {
      if (pos >= n) {
        return null;
      }
      int len = p[pos] & 0xff;
      if (len == 0) {
        pos++;
        break;
      }
      if (len > 63 || pos + len + 1 - QNAME > 254) {
        return null; // a pointer, a reserved label type, or too long: the slow path says what is wrong
      }
      pos += len + 1;
    }
    if (pos + 4 > n) {
      return null;
    }
    int type = u16(p, pos);
    int dclass = u16(p, pos + 2);
    if (dclass != DClass.IN || type == Type.AXFR || type == Type.IXFR || type == Type.OPT) {
      return null;
    }
    int questionEnd = pos + 4;
    if (arcount == 0) {
      return questionEnd == n ? new WireQuery(n, questionEnd, type, false, 0, false) : null;
    }
    // The OPT record: root name, TYPE 41, CLASS = payload size, TTL = ext-rcode, version, flags.
    int o = questionEnd;
    if (o + 11 > n || p[o] != 0 || u16(p, o + 1) != Type.OPT || p[o + 6] != 0) {
      return null; // not an OPT record, or EDNS version != 0 (BADVERS is the slow path's job)
    }
    int rdlen = u16(p, o + 9);
    if (o + 11 + rdlen != n) {
      return null;
    }
    return new WireQuery(n, questionEnd, type, true, u16(p, o + 3), (p[o + 7] & 0x80) != 0);
  }

  /**
   * A lower-case copy of the wire name bytes {@code p[from, to)}: only ASCII letters change
   * (length bytes are at most 63, never letters), as names compare in DNS.
   */
  static byte[] lowerCase(byte[] p, int from, int to) {
    byte[] out = new byte[to - from];
    for (int i = 0; i < out.length; i++) {
      byte b = p[from + i];
      out[i] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
    return out;
  }

  static int u16(byte[] p, int i) {
    return ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
  }
}
