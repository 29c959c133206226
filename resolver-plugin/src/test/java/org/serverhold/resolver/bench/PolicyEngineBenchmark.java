package org.serverhold.resolver.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.serverhold.resolver.policy.Decision;
import org.serverhold.resolver.policy.PolicyEngine;
import org.xbill.DNS.Name;

/**
 * {@code PolicyEngine.decide} on a loaded policy, with queries spread over the whole table (so
 * the table lookups pay the cache misses a real gateway pays): 70% registered names (half of them
 * with a {@code www.} prefix), 20% unregistered names under the managed zones, 10% names outside.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
public class PolicyEngineBenchmark {
  @Param("10000000")
  public long names;

  /**
   * Distinct queries cycled through. A gateway decides on a name it has just parsed (hot in the
   * CPU cache), so the pool is kept small enough to stay cached; the names in it are still
   * spread over the whole table, so the table lookups pay their cache misses.
   */
  @Param("65536")
  public int pool;

  private PolicyEngine engine;
  private byte[][] queries;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    engine = SyntheticPolicy.load(names);
    SplittableRandom r = new SplittableRandom(42);
    queries = new byte[Integer.highestOneBit(pool)][];
    for (int q = 0; q < queries.length; q++) {
      int kind = r.nextInt(10);
      String name;
      if (kind < 7) {
        String n = SyntheticPolicy.name(r.nextLong(names));
        name = kind < 4 ? n : "www." + n;
      } else if (kind < 9) {
        name = "unregistered" + r.nextInt(1_000_000) + (kind == 7 ? ".cn" : ".com.cn");
      } else {
        name = "www.site" + r.nextInt(1_000_000) + ".example.org";
      }
      queries[q] = Name.fromConstantString(name + ".").toWireCanonical();
    }
  }

  @Benchmark
  public Decision decide() {
    byte[] q = queries[next++ & (queries.length - 1)];
    return engine.decideWire(q, 0);
  }
}
