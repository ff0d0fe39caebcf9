package dev.kiln.core.history;

import dev.kiln.api.KilnException;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.KilnEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every build a team ran, in a real database: embedded SQLite by default (one file under the
 * work root, {@link #sqliteUrl}), or PostgreSQL for a team through a JDBC URL. Each row keeps
 * the columns a query filters on and the whole {@link BuildSummary} as JSON, so metrics can be
 * replayed from it and new fields need no migration. The JDBC driver comes from the class path
 * (the CLI ships SQLite's and PostgreSQL's).
 *
 * <pre>{@code
 * try (BuildHistory history = BuildHistory.open(BuildHistory.sqliteUrl(workRoot))) {
 *   Kiln kiln = Kiln.builder().discover().buildHistory(history).build();
 * }
 * }</pre>
 */
public final class BuildHistory implements AutoCloseable {
  static final String TABLE = "kiln_builds";
  private static final System.Logger LOG = System.getLogger(BuildHistory.class.getName());

  private final Connection connection;
  private final String where;

  private BuildHistory(Connection connection, String where) {
    this.connection = connection;
    this.where = where;
  }

  /** The default history: {@code history.db} under {@code workRoot}. */
  public static String sqliteUrl(Path workRoot) {
    return "jdbc:sqlite:" + workRoot.toAbsolutePath().resolve("history.db");
  }

  /**
   * Opens (and on first use creates) the history at {@code jdbcUrl}.
   *
   * @throws KilnException naming the database (its password masked) and what went wrong
   */
  public static BuildHistory open(String jdbcUrl) throws KilnException {
    String where = masked(jdbcUrl);
    try {
      if (jdbcUrl.startsWith("jdbc:sqlite:")) {
        Path file = Path.of(jdbcUrl.substring("jdbc:sqlite:".length()));
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
      }
      Connection c = DriverManager.getConnection(jdbcUrl);
      try (Statement st = c.createStatement()) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
          // matrix builds and parallel CLI runs write to one file: wait for a lock, not fail
          st.execute("PRAGMA busy_timeout = 30000");
        }
        st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + "build_id VARCHAR(64) NOT NULL, "
            + "os VARCHAR(64) NOT NULL, "
            + "os_version VARCHAR(64) NOT NULL, "
            + "started_ms BIGINT NOT NULL, "
            + "elapsed_ms BIGINT NOT NULL, "
            + "result VARCHAR(16) NOT NULL, "
            + "failed_stage VARCHAR(16), "
            + "host VARCHAR(255) NOT NULL, "
            + "kiln_version VARCHAR(64) NOT NULL, "
            + "artifact_bytes BIGINT NOT NULL, "
            + "summary TEXT NOT NULL, "
            + "PRIMARY KEY (build_id, os, os_version, started_ms))");
      }
      return new BuildHistory(c, where);
    } catch (SQLException e) {
      // not chained: a driver's message and its causes may repeat the URL with its password
      throw new KilnException("build history " + where + ": " + sentence(e) + hint(e));
    } catch (IOException e) {
      throw new KilnException("build history " + where + ": cannot create its directory: "
          + e.getMessage(), e);
    }
  }

  /** Records one build; the same build recorded twice is kept once. */
  public synchronized void record(String buildId, BuildSummary s) throws KilnException {
    try (PreparedStatement st = connection.prepareStatement("INSERT INTO " + TABLE
        + " (build_id, os, os_version, started_ms, elapsed_ms, result, failed_stage, host, "
        + "kiln_version, artifact_bytes, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        + "ON CONFLICT DO NOTHING")) {
      st.setString(1, buildId);
      st.setString(2, s.os());
      st.setString(3, s.osVersion());
      st.setLong(4, s.started().toEpochMilli());
      st.setLong(5, s.elapsed().toMillis());
      st.setString(6, s.result());
      st.setString(7, s.failedStage().map(x -> x.name().toLowerCase(java.util.Locale.ROOT))
          .orElse(null));
      st.setString(8, s.host());
      st.setString(9, s.kilnVersion());
      st.setLong(10, s.artifacts().stream().mapToLong(BuildSummary.Artifact::bytes).sum());
      st.setString(11, SummaryJson.write(s));
      st.executeUpdate();
    } catch (SQLException e) {
      throw new KilnException("could not record build " + buildId + " in " + where + ": "
          + sentence(e), e);
    }
  }

  /**
   * An event handler for {@link dev.kiln.core.Kiln.Builder#buildHistory}: records each
   * finished build; a build whose row cannot be written is logged (a handler cannot fail a
   * build that already ended).
   */
  public void record(KilnEvent.BuildFinished finished) {
    try {
      record(finished.buildId(), finished.summary());
    } catch (KilnException e) {
      LOG.log(System.Logger.Level.WARNING, e.getMessage());
    }
  }

  /**
   * Builds that started at or after {@code since}, oldest first; {@code os} keeps those of one
   * OS, given as {@code debian} (every version) or {@code debian-12}.
   */
  public synchronized List<Entry> builds(Optional<String> os, Instant since)
      throws KilnException {
    List<Entry> out = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement("SELECT build_id, summary FROM "
        + TABLE + " WHERE started_ms >= ? ORDER BY started_ms, build_id")) {
      st.setLong(1, since.toEpochMilli());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          BuildSummary s = SummaryJson.read(rs.getString(2));
          if (os.isEmpty() || os.get().equals(s.os()) || os.get().equals(s.os() + "-"
              + s.osVersion())) {
            out.add(new Entry(rs.getString(1), s));
          }
        }
      }
    } catch (SQLException e) {
      throw new KilnException("could not read " + where + ": " + sentence(e), e);
    } catch (IOException e) {
      throw new KilnException(where + " holds a row Kiln cannot read: " + e.getMessage(), e);
    }
    return out;
  }

  /** One recorded build. */
  public record Entry(String buildId, BuildSummary summary) {}

  /** Where the history is, for messages (a password in the URL masked). */
  public String location() {
    return where;
  }

  @Override
  public synchronized void close() throws KilnException {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new KilnException("closing " + where + ": " + sentence(e), e);
    }
  }

  static String masked(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("(//[^/:@]+:)[^@/]*@", "$1***@");
  }

  private static String sentence(SQLException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return masked(m.lines().findFirst().orElse(m).strip());
  }

  private static String hint(SQLException e) {
    if (e.getMessage() != null && e.getMessage().startsWith("No suitable driver")) {
      return " (Kiln knows jdbc:sqlite:FILE and jdbc:postgresql://HOST/DB)";
    }
    return "";
  }
}
