package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.kvm.Fixtures;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.Stage;
import dev.kiln.core.metrics.KilnMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics, history and alerts judged by Prometheus's own tools and servers: real CLI builds
 * (they fail in the source stage against a server that answers 404, so no VM is needed; the
 * VM tests record successful builds) push to a real Pushgateway that a real Prometheus
 * scrapes; {@code promtool} checks the metrics file, the rules, and the rules' unit tests —
 * and the unit tests are shown to fail when a threshold is changed.
 */
@org.junit.jupiter.api.Tag("validator")
class MonitoringTest {
  static final Path RULES = Path.of("").toAbsolutePath().getParent().resolve(
      "docs/monitoring/kiln-alerts.yml");
  static final Path RULE_TESTS = RULES.resolveSibling("kiln-alerts.test.yml");

  @TempDir
  Path dir;

  @Test
  void twoCliBuildsCountUpInPrometheusThroughThePushgateway() throws Exception {
    try (GoneSource gone = GoneSource.start();
        PrometheusServers servers = PrometheusServers.start(RULES)) {
      Path recipe = gone.recipe(dir, "gone.qcow2");
      Path metrics = dir.resolve("kiln.prom");
      for (int i = 1; i <= 2; i++) {
        CliTest.Run r = CliTest.kiln("build", recipe.toString(), "--quiet", "--out",
            dir.resolve("out").toString(), "--work-root", dir.resolve("work").toString(),
            "--build-id", "gone-" + i, "--metrics-file", metrics.toString(), "--pushgateway",
            servers.pushgateway.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(4);
        assertThat(r.err()).doesNotContain("warning");
        // each push replaces the group; the replayed history makes the count go up
        int expected = i;
        servers.query("kiln_build_seconds_count{job=\"kiln\",result=\"failure\",os=\"debian\""
            + ",os_version=\"12\"}", res -> res.size() == 1 && res.get(0).path("value")
                .get(1).asText().equals(String.valueOf(expected)));
      }
      JsonNode failures = servers.query("kiln_build_failures_total{stage=\"source\"}",
          res -> res.size() == 1);
      assertThat(failures.get(0).path("value").get(1).asText()).isEqualTo("2");
      assertThat(failures.get(0).path("metric").path("instance").asText())
          .isEqualTo(BuildMonitoring.instance() + ":" + dir.resolve("work/history.db"));
      // the successful series exists at zero: a first failure is an increase, not a new series
      servers.query("kiln_build_seconds_count{result=\"success\"}", res -> res.size() == 1
          && res.get(0).path("value").get(1).asText().equals("0"));

      // the file is what the textfile collector reads: promtool's linter accepts it
      Fixtures.Result lint = Fixtures.run(List.of("bash", "-c", "promtool check metrics < "
          + metrics), 60);
      assertThat(lint.exit()).as(lint.output()).isZero();
      assertThat(Files.readString(metrics)).contains(
          "kiln_build_seconds_count{accelerator=\"unknown\",host=\"localhost\",os=\"debian\","
              + "os_version=\"12\",result=\"failure\"} 2");
      try (var leftovers = Files.list(dir)) {
        assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n
            .endsWith(".partial"));
      }

      // Prometheus loaded the alert rules and evaluates them without error on these series
      JsonNode groups = servers.get("/api/v1/rules").path("data").path("groups");
      assertThat(groups.findValues("rules").get(0)).hasSize(4).allSatisfy(rule -> {
        assertThat(rule.path("health").asText()).as(rule.toString()).isIn("ok", "unknown");
        assertThat(rule.path("lastError").asText("")).isEmpty();
      });

      // kiln history reads what the builds recorded
      CliTest.Run h = CliTest.kiln("history", "--work-root", dir.resolve("work").toString());
      assertThat(h.exit()).as(h.err()).isZero();
      assertThat(h.out()).contains("2 build(s)").containsPattern(
          "debian-12 +2 +0% +- +- +gone-2 failed \\(source\\)");
    }
  }

  @Test
  void aPushgatewayThatIsNotThereIsAWarningAndTheBuildsExitCodeStays() throws Exception {
    try (GoneSource gone = GoneSource.start()) {
      Path recipe = gone.recipe(dir, "x.qcow2");
      CliTest.Run r = CliTest.kiln("build", recipe.toString(), "--quiet", "--work-root",
          dir.resolve("work").toString(), "--out", dir.resolve("out").toString(),
          "--pushgateway", "http://127.0.0.1:1", "--no-history");
      assertThat(r.exit()).isEqualTo(4);
      assertThat(r.err()).endsWith("kiln build: warning: could not push the metrics to "
          + "http://127.0.0.1:1: connection refused (is a Pushgateway listening there?)\n")
          .doesNotContain("Exception").doesNotContain("null");
      assertThat(dir.resolve("work/history.db")).doesNotExist();
    }
  }

  /** Builders sharing one history push one group; credentials never reach a label. */
  @Test
  void thePushGroupIsTheHistoryTheMetricsReplay() {
    MonitoringOptions shared = new MonitoringOptions();
    shared.historyDb = "jdbc:postgresql://db.example:5432/kiln?user=kiln&password=s3cret";
    assertThat(new BuildMonitoring(shared, dir).group()).isEqualTo(
        "postgresql://db.example:5432/kiln");
    MonitoringOptions inUrl = new MonitoringOptions();
    inUrl.historyDb = "jdbc:postgresql://kiln:s3cret@db.example/kiln";
    assertThat(new BuildMonitoring(inUrl, dir).group()).isEqualTo("postgresql://db.example/kiln");
    MonitoringOptions none = new MonitoringOptions();
    none.noHistory = true;
    assertThat(new BuildMonitoring(none, dir).group()).isEqualTo(BuildMonitoring.instance());
  }

  @Test
  void theAlertRulesAndTheirUnitTestsPassPromtoolAndTheTestsCanFail() throws Exception {
    Fixtures.Result check = Fixtures.run(List.of("promtool", "check", "rules",
        RULES.toString()), 60);
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: 4 rules found");
    Fixtures.Result test = Fixtures.run(List.of("promtool", "test", "rules",
        RULE_TESTS.toString()), 120);
    assertThat(test.exit()).as(test.output()).isZero();
    // each alert's threshold moved: its unit test must notice
    Map<String, String[]> mutations = Map.of(
        "KilnBuildSuccessRateLow", new String[] {") < 0.95", ") < 0.90"},
        "KilnBuildTooSlow", new String[] {") > 1800", ") > 3600"},
        "KilnNoSuccessfulBuild", new String[] {"> 8 * 86400", "> 10 * 86400"},
        "KilnArtifactGrew", new String[] {"> 1.2 * (", "> 1.4 * ("});
    for (var m : mutations.entrySet()) {
      Path copy = Files.createDirectories(dir.resolve(m.getKey()));
      String rules = Files.readString(RULES);
      assertThat(rules).contains(m.getValue()[0]);
      Files.writeString(copy.resolve("kiln-alerts.yml"), rules.replace(m.getValue()[0],
          m.getValue()[1]));
      Files.copy(RULE_TESTS, copy.resolve("kiln-alerts.test.yml"));
      Fixtures.Result mutated = Fixtures.run(List.of("promtool", "test", "rules",
          copy.resolve("kiln-alerts.test.yml").toString()), 120);
      assertThat(mutated.exit()).as(m.getKey() + " mutated").isNotZero();
      assertThat(mutated.output()).contains("alertname: " + m.getKey());
    }
  }

  /** The rules' tests use the names and labels Kiln really exports, not ones made up. */
  @Test
  void everySeriesTheRuleTestsUseIsOneKilnExports() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KilnMetrics metrics = KilnMetrics.on(registry);
    Instant t = Instant.parse("2026-12-01T08:00:00Z");
    metrics.record(new BuildSummary("0.1.0", "debian-12", "debian", "12", "localhost", "tcg",
        t, Duration.ofSeconds(1242), true, Optional.empty(), Map.of(Stage.SOURCE,
            Duration.ofSeconds(30)), List.of(new BuildSummary.Artifact("qcow2", "none",
                "debian-12.qcow2", 400L << 20, 4L << 30)), 0, 0, 1, 0, Optional.empty(),
        Duration.ZERO, 2100, 5L << 30));
    String exported = registry.scrape();
    Path file = dir.resolve("m.prom");
    Files.writeString(file, exported);
    Fixtures.Result lint = Fixtures.run(List.of("bash", "-c", "promtool check metrics < "
        + file), 60);
    assertThat(lint.exit()).as(lint.output()).isZero();

    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("series: '([a-z_]+)\\{([^}]*)\\}'").matcher(
        Files.readString(RULE_TESTS));
    while (m.find()) {
      String labels = m.group(2).replaceAll("=\"[^\"]*\"", "");
      used.add(m.group(1) + "{" + labels + "}");
    }
    assertThat(used).isNotEmpty();
    for (String series : used) {
      String name = series.substring(0, series.indexOf('{'));
      String[] labels = series.substring(series.indexOf('{') + 1, series.length() - 1)
          .split(",");
      assertThat(exported.lines().filter(l -> l.startsWith(name + "{")))
          .as(series + " in\n" + exported).anySatisfy(line -> {
            for (String label : labels) {
              assertThat(line).contains(label + "=\"");
            }
          });
    }
  }
}
