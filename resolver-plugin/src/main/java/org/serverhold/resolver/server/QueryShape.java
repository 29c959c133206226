package org.serverhold.resolver.server;

import org.xbill.DNS.Header;

/**
 * Wire checks on a query that dnsjava's parser accepts but a sane client never sends.
 */
final class QueryShape {
  private QueryShape() {}

  /**
   * Whether the first question's name uses a compression pointer (or a reserved label type).
   * The question is the first name of a query, so a pointer can only lead into the header or
   * back into the name itself: dnsjava follows such a self-referencing pointer until the name
   * reaches 255 bytes, and every answer that repeats the question (errors, denials) would then
   * be up to ~250 bytes larger than the query: a reflection amplifier found by the fuzz test.
   */
  static boolean questionNameCompressed(byte[] packet) {
    int qdcount = ((packet[4] & 0xff) << 8) | (packet[5] & 0xff);
    if (qdcount == 0) {
      return false;
    }
    int pos = Header.LENGTH;
    while (pos < packet.length) {
      int len = packet[pos] & 0xff;
      if (len == 0) {
        return false;
      }
      if ((len & 0xc0) != 0) {
        return true;
      }
      pos += len + 1;
    }
    return false; // runs past the end: the parser reports that
  }
}
