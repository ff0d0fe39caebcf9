package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.api.event.Stage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes as documented ({@code docs/cli.md}), as the CLI's help prints them and as the
 * commands return them, checked against each other: the same codes in both texts, every build
 * stage mapped to the code whose row names it, and a failure of each kind that can happen
 * without a VM run command by command. Codes 5–10 come from stages that need a guest: their
 * mapping is checked here, their runs are in the VM tests (BuildPipelineVmTest: 4 and 6) and
 * the verify and export tests; 130 is typed in a real terminal by TerminalProgressTest.
 */
@Tag("libvirt")
class ExitCodesTest {
  private static final Path DOCS = Path.of("").toAbsolutePath().getParent().resolve(
      "docs/cli.md");

  @TempDir
  Path dir;

  static Map<Integer, String> documented() throws Exception {
    String md = Files.readString(DOCS, StandardCharsets.UTF_8);
    String table = md.substring(md.indexOf("## Exit codes"));
    table = table.substring(0, table.indexOf("\n## ") > 0 ? table.indexOf("\n## ")
        : table.length());
    Map<Integer, String> rows = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\| (.+) \\|$").matcher(table);
    while (m.find()) {
      rows.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    return rows;
  }

  static Map<Integer, String> inHelp() {
    String help = CliTest.kiln("--help").out();
    Map<Integer, String> rows = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^  (\\d+) +(.+)$").matcher(help.substring(
        help.indexOf("Exit codes:")));
    while (m.find()) {
      rows.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    return rows;
  }

  @Test
  void theDocsAndTheHelpListTheSameCodesAndEveryStageHasOne() throws Exception {
    Map<Integer, String> docs = documented();
    assertThat(docs.keySet()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 130);
    assertThat(inHelp().keySet()).isEqualTo(docs.keySet());
    for (Stage stage : Stage.values()) {
      int code = BuildCommand.exitCode(stage);
      assertThat(docs.get(code)).as("the docs' row for %s (%d)", stage, code)
          .contains(stage.name().toLowerCase(Locale.ROOT));
      assertThat(inHelp().get(code)).as("the help's row for %s (%d)", stage, code)
          .contains(stage.name().toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void zeroOneAndTwoCommandByCommand() {
    assertThat(CliTest.kiln("version").exit()).isZero();
    // 1: bad input, one sentence, no trace
    CliTest.Run unknownOs = CliTest.kiln("build", "debain-12");
    assertThat(unknownOs.exit()).as(unknownOs.err()).isEqualTo(1);
    assertThat(unknownOs.err()).contains("(did you mean 'debian-12'?)")
        .doesNotContain("Exception");
    CliTest.Run noFile = CliTest.kiln("build", dir.resolve("none.yaml").toString());
    assertThat(noFile.exit()).isEqualTo(1);
    assertThat(noFile.err().strip()).isEqualTo("kiln build: " + dir.resolve("none.yaml")
        + ": no such file or directory");
    assertThat(CliTest.kiln("convert", dir.resolve("none.raw").toString(),
        dir.resolve("x.qcow2").toString()).exit()).isEqualTo(1);
    // 2: usage
    assertThat(CliTest.kiln("build", "--no-such-option").exit()).isEqualTo(2);
    assertThat(CliTest.kiln("convert", "only-one-argument").exit()).isEqualTo(2);
    assertThat(CliTest.kiln("no-such-command").exit()).isEqualTo(2);
    // lower-case enum values, as the help writes them
    assertThat(CliTest.kiln("build", "--accel", "tcg", dir.resolve("none.yaml").toString())
        .exit()).isEqualTo(1);
  }

  @Test
  void aSourceThatIsNotThereIsFourWithStatusAndUrlAndNotRetried() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int[] requests = {0};
    http.createContext("/", ex -> {
      requests[0]++;
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    http.start();
    try {
      String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/gone.qcow2";
      Path recipe = dir.resolve("recipe.yaml");
      Files.writeString(recipe, String.join("\n", "name: gone", "os: {id: debian, version: "
          + "\"12\"}", "source:", "  cloudImage:", "    urls: [" + url + "]",
          "    checksum: sha256:" + "ab".repeat(32), "outputs:",
          "  - {hypervisor: kvm, format: qcow2}", ""));
      CliTest.Run r = CliTest.kiln("build", recipe.toString(), "--quiet", "--out",
          dir.resolve("out").toString(), "--work-root", dir.resolve("work").toString());
      assertThat(r.exit()).as(r.err()).isEqualTo(4);
      assertThat(r.err()).contains("could not download gone.qcow2: " + url
          + ": HTTP 404 Not Found (not retried)").doesNotContain("null")
          .doesNotContain("Exception");
      assertThat(requests[0]).isEqualTo(1);
    } finally {
      http.stop(0);
    }
  }
}
