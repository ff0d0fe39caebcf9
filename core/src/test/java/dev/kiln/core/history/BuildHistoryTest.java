package dev.kiln.core.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.KilnException;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.Stage;
import dev.kiln.core.testing.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history against the two databases it supports, both real: embedded SQLite (a file) and
 * a PostgreSQL server this test starts on 127.0.0.1. The percentiles are checked against the
 * databases' and Python's own implementations, not against numbers of ours.
 */
@org.junit.jupiter.api.Tag("validator")
class BuildHistoryTest {
  private static PostgresServer postgres;

  @TempDir
  Path tmp;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void sqliteThreeBuildsWithAFailure() throws Exception {
    String url = BuildHistory.sqliteUrl(tmp.resolve("work"));
    threeBuildsWithAFailure(url);
    // the oracle: Python's statistics module on the durations as the database holds them
    List<Long> ms = successfulMillis(url);
    String py = python("import statistics as s; d=[" + String.join(",", ms.stream()
        .map(String::valueOf).toList()) + "]; print(s.median(d)); "
        + "print(s.quantiles(d, n=100, method='inclusive')[94])");
    String[] lines = py.strip().split("\n");
    List<HistoryReport.OsLine> report = report(url);
    assertThat(report.get(0).median().orElseThrow().toMillis())
        .isEqualTo(Math.round(Double.parseDouble(lines[0])));
    assertThat(report.get(0).p95().orElseThrow().toMillis())
        .isEqualTo(Math.round(Double.parseDouble(lines[1])));
  }

  @Test
  void postgresqlThreeBuildsWithAFailure() throws Exception {
    String url = postgres.jdbcUrl();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + BuildHistory.TABLE);
    }
    threeBuildsWithAFailure(url);
    // the oracle: PostgreSQL's percentile_cont and avg over the rows Kiln wrote
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY "
            + "elapsed_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY elapsed_ms) FROM "
            + BuildHistory.TABLE + " WHERE os = 'debian' AND result = 'success'");
        ResultSet rate = c.createStatement().executeQuery("SELECT avg(CASE WHEN result = "
            + "'success' THEN 1.0 ELSE 0 END) FROM " + BuildHistory.TABLE
            + " WHERE os = 'debian'")) {
      rs.next();
      rate.next();
      HistoryReport.OsLine debian = report(url).get(0);
      assertThat(debian.median().orElseThrow().toMillis()).isEqualTo(Math.round(rs.getDouble(1)));
      assertThat(debian.p95().orElseThrow().toMillis()).isEqualTo(Math.round(rs.getDouble(2)));
      assertThat(debian.successRate()).isCloseTo(rate.getDouble(1),
          org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  /** Shared: three Debian builds (one failed in provisioning) and one Rocky build. */
  private static void threeBuildsWithAFailure(String url) throws Exception {
    BuildSummary first = HistoryFixtures.debian(0, 600, Optional.empty(), 400L << 20);
    BuildSummary failed = HistoryFixtures.debian(2, 300, Optional.of(Stage.PROVISION), 0);
    BuildSummary grown = HistoryFixtures.debian(4, 1000, Optional.empty(), 520L << 20);
    try (BuildHistory h = BuildHistory.open(url)) {
      h.record("20261201-080000", first);
      h.record("20261201-100000", failed);
      h.record("20261201-100000", failed); // recorded twice (a retried handler): kept once
      h.record("20261201-110000", HistoryFixtures.rocky(3, 1500));
      h.record("20261201-120000", grown);
    }
    try (BuildHistory h = BuildHistory.open(url)) { // reopened: the rows are in the database
      List<BuildHistory.Entry> all = h.builds(Optional.empty(), Instant.EPOCH);
      assertThat(all).extracting(BuildHistory.Entry::buildId).containsExactly(
          "20261201-080000", "20261201-100000", "20261201-110000", "20261201-120000");
      // what was written comes back whole
      assertThat(all.get(0).summary()).isEqualTo(first);
      assertThat(all.get(2).summary()).isEqualTo(HistoryFixtures.rocky(3, 1500));
      assertThat(h.builds(Optional.of("debian-12"), Instant.EPOCH)).hasSize(3);
      assertThat(h.builds(Optional.of("rocky"), Instant.EPOCH)).hasSize(1);
      assertThat(h.builds(Optional.empty(), HistoryFixtures.DAY.plus(Duration.ofHours(3))))
          .hasSize(2);
    }
    List<HistoryReport.OsLine> report = report(url);
    assertThat(report).extracting(HistoryReport.OsLine::os).containsExactly("debian-12",
        "rocky-9");
    HistoryReport.OsLine debian = report.get(0);
    assertThat(debian.builds()).isEqualTo(3);
    assertThat(debian.succeeded()).isEqualTo(2);
    assertThat(debian.successRate()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
    // the newest build took 1000 s against a median of 600 s before it, and its disk grew 30 %
    assertThat(debian.flags()).containsExactly("took 16m 40s, 67 % over the median 10m 00s",
        "debian-12.qcow2 is 520 MiB, 30 % over the median 400 MiB");
    assertThat(report.get(1).flags()).isEmpty();
  }

  private static List<HistoryReport.OsLine> report(String url) throws KilnException {
    try (BuildHistory h = BuildHistory.open(url)) {
      return HistoryReport.of(h.builds(Optional.empty(), Instant.EPOCH), 0.2);
    }
  }

  private static List<Long> successfulMillis(String url) throws Exception {
    try (BuildHistory h = BuildHistory.open(url)) {
      return h.builds(Optional.of("debian"), Instant.EPOCH).stream()
          .map(BuildHistory.Entry::summary).filter(BuildSummary::succeeded)
          .map(s -> s.elapsed().toMillis()).toList();
    }
  }

  private static String python(String program) throws Exception {
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", program).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void aGrowthBelowTheShareIsNotFlagged() throws Exception {
    String url = BuildHistory.sqliteUrl(tmp);
    try (BuildHistory h = BuildHistory.open(url)) {
      h.record("a", HistoryFixtures.debian(0, 600, Optional.empty(), 400L << 20));
      h.record("b", HistoryFixtures.debian(1, 700, Optional.empty(), 470L << 20));
      assertThat(HistoryReport.of(h.builds(Optional.empty(), Instant.EPOCH), 0.2).get(0)
          .flags()).isEmpty();
    }
  }

  @Test
  void badDatabasesGetOneSentenceWithThePasswordMasked() {
    assertThatThrownBy(() -> BuildHistory.open("jdbc:mysql://db/kiln?password=s3cret"))
        .isInstanceOf(KilnException.class)
        .hasMessageContaining("Kiln knows jdbc:sqlite:FILE and jdbc:postgresql://HOST/DB")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(() -> BuildHistory.open("jdbc:postgresql://127.0.0.1:1/kiln?user=kiln"
        + "&password=s3cret&connectTimeout=2")).isInstanceOf(KilnException.class)
        .hasMessageStartingWith("build history jdbc:postgresql://127.0.0.1:1/kiln?user=kiln"
            + "&password=***").hasMessageNotContaining("s3cret");
  }
}
