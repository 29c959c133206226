package org.serverhold.resolver.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.serverhold.resolver.policy.PolicyEngine;

/**
 * Runs the policy engine benchmark and writes {@code bench/results/policy_engine.json}:
 * {@code policy_bytes_per_name} (retained heap after full GCs, divided by names loaded) and
 * {@code decide_median_ns} (JMH average time per decide, median over the measurement
 * iterations). Usage: {@code PolicyEngineBench [--names N] [--forks N] [--out FILE] [--commit SHA]}; run it
 * with {@code -Xmx4g}. See resolver-plugin/bench.sh.
 */
public final class PolicyEngineBench {
  private PolicyEngineBench() {}

  public static void main(String[] args) throws Exception {
    long names = 10_000_000;
    Path out = Path.of("../bench/results/policy_engine.json");
    String commit = "unknown";
    // Several forks: the machine is shared, and one fork can land entirely in someone's burst.
    int forks = 3;
    for (int i = 0; i < args.length - 1; i++) {
      switch (args[i]) {
        case "--names" -> names = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--commit" -> commit = args[++i];
        case "--forks" -> forks = Integer.parseInt(args[++i]);
        default -> { }
      }
    }
    // The machine is shared: record how busy it was, so a figure can be read for what it is.
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    double bytesPerName = measureHeap(names);
    System.err.printf(Locale.ROOT, "heap: %.2f bytes per name%n", bytesPerName);

    Options opts = new OptionsBuilder().include(PolicyEngineBenchmark.class.getName())
        .param("names", Long.toString(names)).forks(forks).build();
    double[] sorted = iterations(new Runner(opts).runSingle());
    double median = median(sorted);
    System.err.printf(Locale.ROOT, "decide: median %.1f ns over %d iterations %s%n", median, sorted.length,
        Arrays.toString(sorted));
    // The peer, in the same run: one random read from a table of the same size.
    double[] loads = iterations(new Runner(new OptionsBuilder().include(RandomLoadBenchmark.class.getName())
        .forks(forks).build()).runSingle());
    double load = median(loads);
    System.err.printf(Locale.ROOT, "random read: median %.1f ns over %d iterations; decide / read = %.2f%n", load,
        loads.length, median / load);

    String date = LocalDate.now().toString();
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    String machine = String.format(Locale.ROOT, "%d cores (%s), JDK %s, 1-min load average %.1f at start, %.1f at end",
        Runtime.getRuntime().availableProcessors(), cpu(), Runtime.version(), loadBefore, loadAfter);
    String json = "[\n"
        + entry("decide_median_ns", round(median), "ns", "< 200", round(load), Math.round(median / load * 100) / 100.0, commit, date,
            String.format(Locale.ROOT,
            "JMH AverageTime, %d forks (-Xmx4g, transparent huge pages), 5x2s warmup, %d x2s iterations in all; median of iteration means over all forks; %d names loaded; "
            + "queries spread over the whole table: 70%% registered (half with www.), 20%% unregistered under "
            + "managed zones, 10%% outside; peer: one random read from a 114 MB table (RandomLoadBenchmark, same "
            + "JVM options, %d forks), ratio = decide / read; %s", forks, sorted.length, names, forks, machine)) + ",\n"
        + entry("policy_bytes_per_name", round(bytesPerName), "bytes", "< 40", null, null, commit, date, String.format(
            Locale.ROOT, "retained heap of a PolicyEngine after full GCs / %d names (+1000 flags); names 6-14 "
            + "random chars + index under cn/com.cn/xn--fiqs8s; %s", names, machine)) + "\n]\n";
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json);
    System.err.println("wrote " + out.toAbsolutePath());
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String entry(String metric, double value, String unit, String goal, Double peer, Double ratio,
      String commit, String date, String notes) {
    return String.format(Locale.ROOT, "  {\"metric\": \"%s\", \"value\": %s, \"unit\": \"%s\", \"goal\": \"%s\", "
        + "\"peer\": %s, \"ratio\": %s, \"commit\": \"%s\", \"date\": \"%s\", \"notes\": \"%s\"}",
        metric, value, unit, goal, peer, ratio, commit, date, notes.replace("\"", "'"));
  }

  private static double[] iterations(RunResult result) {
    List<Double> out = new ArrayList<>();
    result.getBenchmarkResults().forEach(br -> br.getIterationResults()
        .forEach(ir -> out.add(ir.getPrimaryResult().getScore())));
    return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static double median(double[] sorted) {
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  /** The CPU's model name: memory latency differs by host, and with it every figure here. */
  private static String cpu() {
    try (var lines = Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  private static long usedAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  private static double measureHeap(long names) throws IOException {
    long before = usedAfterGc();
    PolicyEngine engine = SyntheticPolicy.load(names);
    long after = usedAfterGc();
    if (engine.size() != names + 1000) {
      throw new IllegalStateException("loaded " + engine.size());
    }
    return (double) (after - before) / names;
  }
}
