package dev.kiln.cli;

import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The build history and metrics exporters, shared by {@code kiln build} (one or a matrix). */
final class MonitoringOptions {
  @Option(names = "--metrics-file", paramLabel = "FILE.prom", description = "Write the builds' "
      + "metrics in the Prometheus text format (for node_exporter's textfile collector), "
      + "atomically. With the history on, counts cover every recorded build.")
  Path metricsFile;

  @Option(names = "--pushgateway", paramLabel = "URL", description = "Push the metrics to a "
      + "Prometheus Pushgateway, grouped as job=kiln and an instance naming the history the "
      + "metrics replay (a shared database is one group, not one per builder).")
  URI pushgateway;

  @Option(names = "--otlp", paramLabel = "URL", description = "Send the metrics to an "
      + "OpenTelemetry collector over OTLP/HTTP (protobuf), e.g. "
      + "http://127.0.0.1:4318/v1/metrics; cumulative, service.name=kiln.")
  URI otlp;

  @Option(names = "--history-db", paramLabel = "JDBC-URL", description = "Where builds are "
      + "recorded (default: jdbc:sqlite:WORK-ROOT/history.db; jdbc:postgresql://HOST/DB?user=… "
      + "for a team).")
  String historyDb;

  @Option(names = "--no-history", description = "Do not record this build in the history.")
  boolean noHistory;

  /** The history's JDBC URL for {@code workRoot}. */
  String historyUrl(Path workRoot) {
    return historyDb != null ? historyDb
        : dev.kiln.core.history.BuildHistory.sqliteUrl(workRoot);
  }
}
