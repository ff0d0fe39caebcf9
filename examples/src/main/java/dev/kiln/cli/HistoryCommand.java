package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.core.history.BuildHistory;
import dev.kiln.core.history.HistoryReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln history}: success rate, median and p95 build time per OS, growth flagged. */
@Command(name = "history", mixinStandardHelpOptions = true, description = {"What the recorded "
    + "builds say, per OS: builds, success rate, median and 95th percentile of successful "
    + "builds' times, and the newest build flagged when its time or an artifact grew by more "
    + "than --growth over the median of the builds before it."})
final class HistoryCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--os", paramLabel = "ID", description = "One OS: debian (every version) or "
      + "debian-12.")
  String os;

  @Option(names = "--since", paramLabel = "30d|12h|DATE", defaultValue = "30d",
      description = "Builds that started since then (default: ${DEFAULT-VALUE}).")
  String since;

  @Option(names = "--growth", paramLabel = "PERCENT", defaultValue = "20",
      description = "Flag the newest build when it grew by more than this (default: "
          + "${DEFAULT-VALUE} %%).")
  double growth;

  @Option(names = "--plot", paramLabel = "FILE.png", description = "Also draw the build times "
      + "per OS as a PNG.")
  Path plot;

  @Option(names = "--history-db", paramLabel = "JDBC-URL", description = "The history (default"
      + ": jdbc:sqlite:WORK-ROOT/history.db).")
  String historyDb;

  @Option(names = "--work-root", paramLabel = "DIR")
  Path workRoot = Path.of("/var/tmp/kiln");

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Instant from;
    try {
      from = since(since, clock);
    } catch (IllegalArgumentException e) {
      err.println("kiln history: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
    String url = historyDb != null ? historyDb : BuildHistory.sqliteUrl(workRoot);
    if (historyDb == null && !java.nio.file.Files.exists(workRoot.resolve("history.db"))) {
      o.println("kiln history: nothing recorded under " + workRoot + " (kiln build records "
          + "every build in " + workRoot.resolve("history.db") + ")");
      return 0;
    }
    List<BuildHistory.Entry> builds;
    String where;
    try (BuildHistory h = BuildHistory.open(url)) {
      builds = h.builds(Optional.ofNullable(os), from);
      where = h.location();
    } catch (KilnException e) {
      err.println("kiln history: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
    o.println("kiln history: " + builds.size() + " build(s) since " + from.atOffset(
        ZoneOffset.UTC).toLocalDate() + (os != null ? " of " + os : "") + " (" + where + ")");
    if (builds.isEmpty()) {
      o.println("  nothing recorded: kiln build records every build here");
      return 0;
    }
    List<HistoryReport.OsLine> lines = HistoryReport.of(builds, growth / 100);
    o.println(String.format(Locale.ROOT, "  %-22s %6s %8s %9s %9s  %s", "OS", "BUILDS",
        "SUCCESS", "MEDIAN", "P95", "NEWEST"));
    for (HistoryReport.OsLine l : lines) {
      var last = l.last().summary();
      o.println(String.format(Locale.ROOT, "  %-22s %6d %7.0f%% %9s %9s  %s %s in %s",
          l.os(), l.builds(), 100 * l.successRate(), l.median().map(HistoryReport::minutes)
              .orElse("-"), l.p95().map(HistoryReport::minutes).orElse("-"),
          l.last().buildId(), last.succeeded() ? "succeeded" : "failed" + last.failedStage()
              .map(s -> " (" + s.name().toLowerCase(Locale.ROOT) + ")").orElse(""),
          HistoryReport.minutes(last.elapsed())));
      l.flags().forEach(f -> o.println("    ! newest build " + f));
    }
    if (plot != null) {
      try {
        HistoryPlot.write(builds, plot);
        o.println("  plot: " + plot);
      } catch (IOException e) {
        err.println("kiln history: could not write the plot: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
    }
    return 0;
  }

  /** {@code 30d}, {@code 12h} or a date ({@code 2026-11-01}, UTC). */
  static Instant since(String text, Clock clock) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("\\d+d")) {
        return clock.instant().minus(Duration.ofDays(Long.parseLong(t.substring(0,
            t.length() - 1))));
      }
      if (t.matches("\\d+h")) {
        return clock.instant().minus(Duration.ofHours(Long.parseLong(t.substring(0,
            t.length() - 1))));
      }
      return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("--since " + text + " is neither days (30d), hours "
          + "(12h) nor a date (2026-11-01)");
    }
  }
}
