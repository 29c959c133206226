package org.serverhold.resolver.bench;

import java.util.List;
import java.util.SplittableRandom;
import org.serverhold.resolver.policy.DenyReason;
import org.serverhold.resolver.policy.PolicyEngine;
import org.serverhold.resolver.policy.PolicyEntry;

/**
 * A reproducible registry-like policy: name {@code i} is a function of {@code i} alone, so the
 * benchmark can draw queries for names it loaded without keeping ten million strings around.
 * Labels of 6-14 characters under {@code cn} (50%), {@code com.cn} (30%) and {@code xn--fiqs8s}
 * (20%); 90% allowed, the rest denied with one of a thousand references; plus a thousand flags.
 */
final class SyntheticPolicy {
  static final List<String> ZONES = List.of("cn", "com.cn", "xn--fiqs8s");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private SyntheticPolicy() {}

  static String name(long i) {
    SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 7);
    int len = 6 + r.nextInt(9);
    StringBuilder sb = new StringBuilder(len + 12);
    for (int k = 0; k < len; k++) {
      sb.append(ALPHABET[r.nextInt(ALPHABET.length)]);
    }
    // The index in the label keeps names unique.
    sb.append(Long.toString(i, 36));
    int z = r.nextInt(10);
    sb.append('.').append(z < 5 ? "cn" : z < 8 ? "com.cn" : "xn--fiqs8s");
    return sb.toString();
  }

  static PolicyEntry entry(long i) {
    String n = name(i);
    if (i % 10 != 3) {
      return PolicyEntry.allow(n);
    }
    return PolicyEntry.domain(n, i % 20 == 3 ? DenyReason.NOT_FILED : DenyReason.TAKEDOWN, "case " + (i % 1000));
  }

  static PolicyEngine load(long count) {
    PolicyEngine engine = new PolicyEngine();
    PolicyEngine.SnapshotLoader l = engine.beginSnapshot(1, ZONES, count);
    for (long i = 0; i < count; i++) {
      l.add(entry(i));
    }
    for (int f = 0; f < 1000; f++) {
      l.add(PolicyEntry.flag("flagged" + f + ".example" + (f % 10) + ".com", f % 2 == 0, "F-" + f));
    }
    l.install();
    return engine;
  }
}
