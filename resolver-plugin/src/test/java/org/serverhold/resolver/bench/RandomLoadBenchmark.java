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

/**
 * The peer of {@link PolicyEngineBenchmark}: one random read from a table as large as the
 * policy's slot table at ten million names (a pointer chase through a random cycle, so each
 * read waits for the last), in forks with the same JVM options. A decision on a table that size
 * cannot avoid one such read, so their ratio says how much of a decision is the machine's memory
 * and how much is the engine: hosts differ by 2x in memory latency, the ratio much less.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "-XX:+UseTransparentHugePages"})
public class RandomLoadBenchmark {
  /** Longs in the table (114 MB): 10M names at load 0.7, as the engine sizes its slots. */
  @Param("14285715")
  public int slots;

  private long[] next;
  private int at;

  @Setup(Level.Trial)
  public void setUp() {
    // Sattolo's shuffle: one cycle through every slot, so the chase never settles in a small loop.
    next = new long[slots];
    for (int i = 0; i < slots; i++) {
      next[i] = i;
    }
    SplittableRandom r = new SplittableRandom(7);
    for (int i = slots - 1; i > 0; i--) {
      int j = r.nextInt(i);
      long t = next[i];
      next[i] = next[j];
      next[j] = t;
    }
  }

  @Benchmark
  public int load() {
    at = (int) next[at];
    return at;
  }
}
