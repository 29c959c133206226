package org.serverhold.registry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.serverhold.registry.audit.Json;

/** Writes bench/results/NAME.json as ../shared/BENCHMARKS.md asks: one object per metric. */
public final class BenchResults {
  private final List<Map<String, Object>> figures = new ArrayList<>();

  public BenchResults add(String metric, double value, String unit, String goal, String notes) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("metric", metric);
    f.put("value", Math.round(value * 1000) / 1000.0);
    f.put("unit", unit);
    f.put("goal", goal);
    f.put("peer", null);
    f.put("ratio", null);
    f.put("commit", commit());
    f.put("date", LocalDate.now().toString());
    f.put("notes", notes);
    figures.add(f);
    System.out.printf("BENCH %s = %.3f %s (goal %s) %s%n", metric, value, unit, goal, notes);
    return this;
  }

  public void write(String benchmark) {
    Path dir = repoRoot().resolve("bench").resolve("results");
    try {
      Files.createDirectories(dir);
      StringBuilder out = new StringBuilder("[\n");
      for (int i = 0; i < figures.size(); i++) {
        out.append("  ").append(Json.of(figures.get(i))).append(i < figures.size() - 1 ? ",\n" : "\n");
      }
      Files.writeString(dir.resolve(benchmark + ".json"), out.append("]\n").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("migrations"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("run from inside the repository");
    }
    return p;
  }

  static String commit() {
    try {
      Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").directory(repoRoot().toFile()).start();
      String out = new String(git.getInputStream().readAllBytes()).strip();
      return git.waitFor() == 0 ? out : "unknown";
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }

  public static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  public static double percentile(List<Double> xs, double p) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int idx = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, idx)));
  }
}
