package org.serverhold.resolver.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Names as the engine stores and hashes them: DNS wire format (length-prefixed labels) without
 * the terminal zero, lower case. A suffix of a name in this form is a contiguous byte range, so
 * every ancestor of a query can be looked up in place, without building strings.
 *
 * <p>The hash runs over labels from the right, so walking a query right to left yields the hash
 * of each ancestor incrementally.
 */
final class WireNames {
  /**
   * The hash's seed, random per process: the domain table trusts a 48-bit key match (see
   * {@link Segment}), so nobody outside the process may know which names collide. Hashes are never
   * persisted or sent anywhere, so nothing depends on the value.
   */
  static final long SEED = new java.security.SecureRandom().nextLong();
  private static final long MUL = 0x9E3779B97F4A7C15L;
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private WireNames() {}

  /**
   * Converts a presentation-form name ({@code example.cn}, optional trailing dot, no escapes)
   * to lower-case wire form without the terminal zero; null when it is not a valid DNS name.
   */
  static byte[] fromText(CharSequence text) {
    int n = text.length();
    if (n > 0 && text.charAt(n - 1) == '.') {
      n--;
    }
    if (n == 0) {
      return new byte[0];
    }
    if (n > 253) {
      return null;
    }
    byte[] out = new byte[n + 1];
    int lenPos = 0;
    int w = 1;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == '.') {
        int len = w - lenPos - 1;
        if (len == 0 || len > 63) {
          return null;
        }
        out[lenPos] = (byte) len;
        lenPos = w++;
      } else {
        if (c > 0x7e || c <= 0x20) {
          return null; // A-labels only: anything else never matches a policy name
        }
        out[w++] = (byte) lower(c);
      }
    }
    int len = w - lenPos - 1;
    if (len == 0 || len > 63) {
      return null;
    }
    out[lenPos] = (byte) len;
    return out;
  }

  /** Presentation form of a stored wire name (bytes {@code [off, off+len)}), no trailing dot. */
  static String toText(byte[] b, int off, int len) {
    StringBuilder sb = new StringBuilder(len);
    int p = off;
    int end = off + len;
    while (p < end) {
      int l = b[p] & 0xff;
      if (sb.length() > 0) {
        sb.append('.');
      }
      for (int i = 1; i <= l; i++) {
        sb.append((char) (b[p + i] & 0xff));
      }
      p += l + 1;
    }
    return sb.toString();
  }

  static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  /** Lower-cases the ASCII letters of eight bytes at once (SWAR). */
  static long lower8(long x) {
    long heptets = x & 0x7f7f7f7f7f7f7f7fL;
    long geA = heptets + 0x3f3f3f3f3f3f3f3fL; // high bit set where byte >= 'A'
    long gtZ = heptets + 0x2525252525252525L; // high bit set where byte > 'Z'
    long upper = geA & ~gtZ & ~x & 0x8080808080808080L;
    return x | (upper >>> 2);
  }

  /** Up to eight bytes at {@code i} (fewer at the end of the array), lower-cased, zero-padded. */
  private static long word(byte[] b, int i, int n) {
    if (n >= 8) {
      return lower8((long) LONG_LE.get(b, i));
    }
    if (i + 8 <= b.length) {
      return lower8((long) LONG_LE.get(b, i)) & (-1L >>> (64 - 8 * n));
    }
    long w = 0;
    for (int k = 0; k < n; k++) {
      w |= (long) (b[i + k] & 0xff) << (8 * k);
    }
    return lower8(w);
  }

  /**
   * Folds one label ({@code len} bytes at {@code off}) into a running right-to-left hash, eight
   * bytes per multiply: hashing is most of the cost of a decision once the tables are cached.
   */
  static long mixLabel(long h, byte[] b, int off, int len) {
    int i = off;
    int left = len;
    while (left > 0) {
      h = (h ^ word(b, i, left)) * MUL;
      h ^= h >>> 29;
      i += 8;
      left -= 8;
    }
    h = (h ^ (len | 0x100)) * MUL;
    return h ^ (h >>> 32);
  }

  /** The table hash of a running hash: avalanche so that every bit depends on every byte. */
  static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** The table hash of a whole stored name (same value a right-to-left query walk computes). */
  static long hash(byte[] b, int off, int len) {
    // Labels right to left without a list of label starts (it was an allocation per call, and a
    // 100,000-name changeset rehashes every entry of the segments it touches): names have a few
    // labels, so finding each one by a scan from the left costs less than allocating.
    int end = off + len;
    long h = SEED;
    int limit = end;
    while (limit > off) {
      int p = off;
      int last = off;
      while (p < limit) {
        last = p;
        p += (b[p] & 0xff) + 1;
      }
      h = mixLabel(h, b, last + 1, b[last] & 0xff);
      limit = last;
    }
    return finish(h);
  }

  /** Case-insensitive comparison of a query range with a stored (lower-case) name. */
  static boolean equalsStored(byte[] query, int qOff, int len, byte[] stored, int sOff) {
    int i = 0;
    while (len - i >= 8) {
      if (lower8((long) LONG_LE.get(query, qOff + i)) != (long) LONG_LE.get(stored, sOff + i)) {
        return false;
      }
      i += 8;
    }
    for (; i < len; i++) {
      if (lower(query[qOff + i] & 0xff) != (stored[sOff + i] & 0xff)) {
        return false;
      }
    }
    return true;
  }
}
