package dev.kiln.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.BuildResult;
import dev.kiln.api.event.Stage;
import dev.kiln.core.Build;
import dev.kiln.core.Kiln;
import dev.kiln.core.matrix.EntryResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** Runs a matrix: the scheduler places builds on the pool; one summary and manifest. */
final class MatrixRun {
  private MatrixRun() {}

  /** Runs every entry of {@code matrix} through {@code kiln}, each build configured alike. */
  static List<EntryResult> run(Kiln kiln, MatrixFile matrix, Path out, int parallel,
      Consumer<Build.Builder> configure) throws InterruptedException {
    return kiln.matrix(matrix.entries(), matrix.hosts()).outputDirectory(out).parallel(parallel)
        .failFast(matrix.failFast()).configure(configure).run();
  }

  static void summary(PrintWriter o, List<EntryResult> results) {
    o.println();
    o.printf(Locale.ROOT, "%-34s %-20s %-8s %9s  %s%n", "BUILD", "HOSTS", "RESULT", "SECONDS",
        "ARTIFACTS / ERROR");
    for (EntryResult r : results) {
      long ms = r.result().map(x -> x.stageTimes().values().stream().mapToLong(
          java.time.Duration::toMillis).sum()).orElse(0L);
      o.printf(Locale.ROOT, "%-34s %-20s %-8s %9.1f  %s%n", r.entry().id(),
          String.join("→", r.hosts()), r.succeeded() ? "ok" : r.skipped() ? "skipped"
              : "FAILED", ms / 1000.0, r.result().map(x -> x.artifacts().stream().map(a ->
              a.file().getFileName().toString()).toList().toString()).orElse(r.error()
              .orElse("")));
    }
  }

  static Path manifest(Path out, List<EntryResult> results) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    ArrayNode builds = root.putArray("builds");
    for (EntryResult r : results) {
      ObjectNode n = builds.addObject();
      n.put("id", r.entry().id());
      n.put("os", r.entry().recipe().os().toString());
      ArrayNode hosts = n.putArray("hosts");
      r.hosts().forEach(hosts::add);
      n.put("result", r.succeeded() ? "ok" : r.skipped() ? "skipped" : "failed");
      r.error().ifPresent(e -> n.put("error", e));
      if (r.result().isPresent()) {
        BuildResult b = r.result().get();
        ObjectNode stages = n.putObject("stageSeconds");
        for (Stage s : Stage.values()) {
          if (b.stageTimes().containsKey(s)) {
            stages.put(s.name().toLowerCase(Locale.ROOT), b.stageTimes().get(s).toMillis()
                / 1000.0);
          }
        }
        n.put("manifest", out.relativize(b.manifest()).toString());
        ArrayNode arts = n.putArray("artifacts");
        b.artifacts().forEach(a -> arts.addObject().put("file", out.relativize(a.file())
            .toString()).put("size", a.size()).put("sha256", a.checksums().get("SHA-256")));
      }
    }
    Files.createDirectories(out);
    Path f = out.resolve("matrix-manifest.json");
    Files.write(f, json.writeValueAsBytes(root));
    return f;
  }
}
