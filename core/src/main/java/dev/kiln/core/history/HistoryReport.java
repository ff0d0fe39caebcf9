package dev.kiln.core.history;

import dev.kiln.api.event.BuildSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a team lead reads from the history, per OS (id and version): how many builds, the
 * success rate, the median and 95th percentile of successful builds' times, and the newest
 * build flagged when its time or an artifact grew by more than a share over the median of the
 * builds before it. Percentiles interpolate linearly between ranks (Hyndman–Fan type 7, as
 * PostgreSQL's {@code percentile_cont} and Python's {@code statistics.quantiles(...,
 * method='inclusive')} do).
 */
public final class HistoryReport {
  private HistoryReport() {}

  /**
   * One OS's line.
   *
   * @param os {@code id-version}, e.g. {@code debian-12}
   * @param median the median time of successful builds; empty when none succeeded
   * @param p95 their 95th percentile
   * @param flags what grew in the newest build, one sentence each
   */
  public record OsLine(String os, int builds, int succeeded, Optional<Duration> median,
      Optional<Duration> p95, BuildHistory.Entry last, List<String> flags) {
    public OsLine {
      flags = List.copyOf(flags);
    }

    /** Succeeded builds over all builds, 0–1. */
    public double successRate() {
      return builds == 0 ? 0 : (double) succeeded / builds;
    }
  }

  /** One line per OS, in order of first appearance; {@code growth} is e.g. 0.2 for 20 %. */
  public static List<OsLine> of(List<BuildHistory.Entry> builds, double growth) {
    Map<String, List<BuildHistory.Entry>> byOs = new LinkedHashMap<>();
    for (BuildHistory.Entry e : builds) {
      byOs.computeIfAbsent(e.summary().os() + "-" + e.summary().osVersion(),
          k -> new ArrayList<>()).add(e);
    }
    List<OsLine> out = new ArrayList<>();
    byOs.forEach((os, entries) -> {
      List<Double> ok = entries.stream().filter(e -> e.summary().succeeded())
          .map(e -> (double) e.summary().elapsed().toMillis()).toList();
      BuildHistory.Entry last = entries.get(entries.size() - 1);
      out.add(new OsLine(os, entries.size(), ok.size(), percentile(ok, 0.5).map(HistoryReport::ms),
          percentile(ok, 0.95).map(HistoryReport::ms), last, flags(entries, growth)));
    });
    return out;
  }

  /** The newest build against the builds before it. */
  private static List<String> flags(List<BuildHistory.Entry> entries, double growth) {
    List<String> flags = new ArrayList<>();
    BuildSummary last = entries.get(entries.size() - 1).summary();
    List<BuildSummary> earlier = entries.subList(0, entries.size() - 1).stream()
        .map(BuildHistory.Entry::summary).filter(BuildSummary::succeeded).toList();
    if (!last.succeeded() || earlier.isEmpty()) {
      return flags;
    }
    double medianMs = percentile(earlier.stream().map(s -> (double) s.elapsed().toMillis())
        .toList(), 0.5).orElseThrow();
    if (last.elapsed().toMillis() > medianMs * (1 + growth)) {
      flags.add(String.format(Locale.ROOT, "took %s, %.0f %% over the median %s",
          minutes(last.elapsed()), 100 * (last.elapsed().toMillis() / medianMs - 1),
          minutes(ms(medianMs))));
    }
    for (BuildSummary.Artifact a : last.artifacts()) {
      List<Double> sizes = earlier.stream().flatMap(s -> s.artifacts().stream())
          .filter(b -> b.format().equals(a.format()) && b.compression().equals(a.compression()))
          .map(b -> (double) b.bytes()).toList();
      Optional<Double> median = percentile(sizes, 0.5);
      if (median.isPresent() && a.bytes() > median.get() * (1 + growth)) {
        flags.add(String.format(Locale.ROOT, "%s is %s, %.0f %% over the median %s", a.file(),
            mib(a.bytes()), 100 * (a.bytes() / median.get() - 1), mib(median.get())));
      }
    }
    return flags;
  }

  /** Linear interpolation between closest ranks (type 7). */
  static Optional<Double> percentile(List<Double> values, double q) {
    if (values.isEmpty()) {
      return Optional.empty();
    }
    List<Double> sorted = values.stream().sorted().toList();
    double h = (sorted.size() - 1) * q;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.size() - 1);
    return Optional.of(sorted.get(lo) + (h - lo) * (sorted.get(hi) - sorted.get(lo)));
  }

  private static Duration ms(double millis) {
    return Duration.ofMillis(Math.round(millis));
  }

  /** {@code 21m 07s}, or {@code 48s} under a minute. */
  public static String minutes(Duration d) {
    long s = Math.round(d.toMillis() / 1000.0);
    return s < 60 ? s + "s" : String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / (1 << 20));
  }
}
