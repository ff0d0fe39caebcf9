package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --output json} read as CI reads it: every line is judged by Debian's python3-jsonschema
 * against {@code docs/events.schema.json} (draft 2020-12, closed objects), the result comes
 * last, and its checksum is the one coreutils computes. The validator is shown to fail on a
 * line with a field the schema does not have.
 */
@Tag("validator")
class JsonOutputTest {
  private static final Path SCHEMA = Path.of("").toAbsolutePath().getParent().resolve(
      "docs/events.schema.json");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** Each line's first schema error, or "ok", as Debian's jsonschema judges it. */
  static List<String> judge(List<String> lines, Path dir) throws Exception {
    Path file = dir.resolve("lines-" + System.nanoTime() + ".ndjson");
    Files.write(file, lines, StandardCharsets.UTF_8);
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
        "import json, sys, jsonschema",
        "schema = json.load(open(sys.argv[1]))",
        "jsonschema.Draft202012Validator.check_schema(schema)",
        "v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())",
        "for line in open(sys.argv[2]):",
        "    errors = list(v.iter_errors(json.loads(line)))",
        "    print('ok' if not errors else errors[0].message.replace('\\n', ' ')[:300])"),
        SCHEMA.toString(), file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out.lines().filter(l -> !l.contains("DeprecationWarning")).toList();
  }

  private static List<String> stdoutLines(CliTest.Run r) {
    return r.out().lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void convertWritesValidLinesAndItsResultLast() throws Exception {
    Path source = dir.resolve("disk.raw");
    byte[] chunk = new byte[4 << 20];
    new Random(25).nextBytes(chunk);
    try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
      f.setLength(1L << 30);
      for (int i = 0; i < 16; i++) {
        f.seek((long) i * (64 << 20));
        f.write(chunk);
      }
    }
    Path dest = dir.resolve("x.vhd.bz2");
    CliTest.Run r = CliTest.kiln("convert", "--output", "json", source.toString(),
        dest.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = stdoutLines(r);
    assertThat(lines.size()).isGreaterThanOrEqualTo(3);
    assertThat(judge(lines, dir)).as(String.join("\n", lines)).allMatch("ok"::equals);
    JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(last.path("event").asText()).isEqualTo("result");
    assertThat(last.path("format").asText()).isEqualTo("vhd.bz2");
    Process sum = new ProcessBuilder("sha256sum", dest.toString()).start();
    String hex = new String(sum.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        .split(" ")[0];
    assertThat(last.path("checksums").path("SHA-256").asText()).isEqualTo(hex);
    assertThat(lines.subList(0, lines.size() - 1)).allMatch(l -> l.contains(
        "\"conversion-progress\"")).anyMatch(l -> l.contains("\"package\""));

    CliTest.Run again = CliTest.kiln("convert", "--output", "json", source.toString(),
        dest.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(judge(stdoutLines(again), dir)).containsExactly("ok");
    assertThat(stdoutLines(again).get(0)).contains("\"exit\":1").contains("--force");
  }

  @Test
  void listWritesOneLinePerCatalogEntryAndTheCountLast() throws Exception {
    CliTest.Run r = CliTest.kiln("list", "--output", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = stdoutLines(r);
    assertThat(judge(lines, dir)).as(String.join("\n", lines)).allMatch("ok"::equals);
    int entries = dev.kiln.templates.Catalog.builtIn().entries().size();
    assertThat(lines).hasSize(entries + 1);
    assertThat(JSON.readTree(lines.get(entries)).path("count").asInt()).isEqualTo(entries);
    assertThat(lines).anyMatch(l -> l.contains("\"osId\":\"rhel-9\"") && l.contains(
        "\"registration\":\"activation-key\""));
  }

  @Test
  void doctorWritesEachCheckAndItsVerdictLast() throws Exception {
    CliTest.Run r = CliTest.kiln("doctor", "--output", "json", "--work-dir", dir.toString());
    List<String> lines = stdoutLines(r);
    assertThat(judge(lines, dir)).as(String.join("\n", lines)).allMatch("ok"::equals);
    JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(last.path("event").asText()).isEqualTo("result");
    assertThat(last.path("exit").asInt()).isEqualTo(r.exit());
    List<String> names = new ArrayList<>();
    for (String l : lines.subList(0, lines.size() - 1)) {
      names.add(JSON.readTree(l).path("name").asText());
    }
    // the text mode's checks, named the same (libvirt is running for this suite)
    assertThat(names).contains("libvirt", "kvm", "disk");
  }

  @Test
  void aFailedBuildWritesItsStagesAndAResultWithTheStage() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    http.start();
    try {
      Path recipe = dir.resolve("recipe.yaml");
      Files.writeString(recipe, String.join("\n", "name: gone", "os: {id: debian, version: "
          + "\"12\"}", "source:", "  cloudImage:", "    urls: [http://127.0.0.1:"
          + http.getAddress().getPort() + "/gone.qcow2]", "    checksum: sha256:"
          + "ab".repeat(32), "outputs:", "  - {hypervisor: kvm, format: qcow2}", ""));
      CliTest.Run r = CliTest.kiln("build", recipe.toString(), "--output", "json", "--out",
          dir.resolve("out").toString(), "--work-root", dir.resolve("work").toString());
      assertThat(r.exit()).isEqualTo(4);
      List<String> lines = stdoutLines(r);
      assertThat(judge(lines, dir)).as(String.join("\n", lines)).allMatch("ok"::equals);
      List<String> events = new ArrayList<>();
      for (String l : lines) {
        events.add(JSON.readTree(l).path("event").asText());
      }
      assertThat(events).containsSubsequence("stage-started", "stage-finished",
          "build-finished", "result");
      JsonNode finished = JSON.readTree(lines.get(events.indexOf("build-finished")));
      assertThat(finished.path("summary").path("failedStage").asText()).isEqualTo("source");
      assertThat(finished.path("summary").path("succeeded").asBoolean()).isFalse();
      JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
      assertThat(last.path("exit").asInt()).isEqualTo(4);
      assertThat(last.path("stage").asText()).isEqualTo("source");
      assertThat(last.path("error").asText()).contains("HTTP 404 Not Found");
    } finally {
      http.stop(0);
    }
  }

  /**
   * A matrix in CI: both entries' events as lines (each with its build id), then one result
   * naming every entry. The sources are unreachable (127.0.0.1:9), so no VM runs and both fail.
   */
  @Test
  void aMatrixBuildWritesEveryEntrysEventsAndOneResultNamingEachEntry() throws Exception {
    Path matrix = MatrixFanOutTest.unreachableMatrix(dir);
    CliTest.Run r = CliTest.kiln("build", "--matrix", matrix.toString(), "--output", "json",
        "--out", dir.resolve("out").toString(), "--work-root", dir.resolve("work").toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(9);
    List<String> lines = stdoutLines(r);
    assertThat(judge(lines, dir)).as(String.join("\n", lines)).allMatch("ok"::equals);
    java.util.Set<String> buildIds = new java.util.TreeSet<>();
    for (String l : lines.subList(0, lines.size() - 1)) {
      JsonNode n = JSON.readTree(l);
      assertThat(n.path("event").asText()).isNotEqualTo("result");
      buildIds.add(n.path("buildId").asText());
    }
    // the entries' own ids, and their builds' (entry-host)
    assertThat(buildIds).allMatch(id -> id.startsWith("web") || id.startsWith("db"))
        .anyMatch(id -> id.startsWith("web")).anyMatch(id -> id.startsWith("db"));
    JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
    assertThat(last.path("event").asText()).isEqualTo("result");
    assertThat(last.path("exit").asInt()).isEqualTo(9);
    assertThat(last.path("builds").findValuesAsText("id")).containsExactlyInAnyOrder("web",
        "db");
    assertThat(last.path("builds").findValuesAsText("result")).containsOnly("failed");
    assertThat(last.path("builds").get(0).path("error").asText()).contains("127.0.0.1:9");
    assertThat(Path.of(last.path("manifest").asText())).exists();
  }

  @Test
  void theValidatorRefusesALineTheSchemaDoesNotDescribe() throws Exception {
    assertThat(judge(List.of("{\"event\":\"stage-started\",\"buildId\":\"b\",\"time\":"
        + "\"2026-12-03T10:00:00Z\",\"stage\":\"source\",\"password\":\"x\"}",
        "{\"event\":\"stage-started\",\"buildId\":\"b\",\"time\":\"yesterday\","
            + "\"stage\":\"source\"}"), dir)).noneMatch("ok"::equals);
  }
}
