package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A matrix fanned out over CI jobs, the way {@code .github/workflows/templates.yml} runs it:
 * the real {@code kiln matrix plan} output is read through the shape the workflow's
 * {@code fromJSON} gives it, each job builds one entry with {@code --only}, and
 * {@code kiln matrix collect} merges the jobs' manifests. The builds fail at their source (a
 * loopback port nobody listens on), so the round trip runs without VMs; the failure is what
 * the merged manifest must carry. The workflow files are judged by {@code action-validator}
 * (npm, installed by scripts/host-setup.sh), shown to refuse a broken copy.
 */
@Tag("validator")
class MatrixFanOutTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path VALIDATOR = Path.of(System.getenv().getOrDefault("KILN_TOOLS",
      "/var/tmp/kiln-tools"), "node_modules/.bin/action-validator");

  @TempDir
  Path dir;

  private Path matrix() throws Exception {
    return unreachableMatrix(dir);
  }

  /**
   * Two entries, web and db, whose cloud images are at 127.0.0.1:9 (nothing listens): their
   * builds fail at the source, before any VM.
   */
  static Path unreachableMatrix(Path dir) throws Exception {
    for (String name : List.of("web", "db")) {
      Files.writeString(dir.resolve(name + ".yaml"), String.join("\n", "name: " + name,
          "os: {id: debian, version: \"12\"}", "source:", "  cloudImage:",
          "    urls: [http://127.0.0.1:9/" + name + ".qcow2]",
          "    checksum: sha256:" + (name.equals("web") ? "ab" : "cd").repeat(32),
          "outputs:", "  - {hypervisor: kvm, format: qcow2}", ""));
    }
    return Files.writeString(dir.resolve("matrix.yaml"), String.join("\n", "builds:",
        "  - recipe: web.yaml", "  - recipe: db.yaml", ""));
  }

  @Test
  void planGivesEveryKeyTheWorkflowsJobsRead() throws Exception {
    CliTest.Run plan = CliTest.kiln("matrix", "plan", matrix().toString(), "--format",
        "github");
    assertThat(plan.exit()).as(plan.err()).isZero();
    assertThat(plan.out().strip()).doesNotContain("\n"); // one line for $GITHUB_OUTPUT
    JsonNode strategy = JSON.readTree(plan.out());
    JsonNode workflow = new ObjectMapper(new YAMLFactory()).readTree(REPO.resolve(
        ".github/workflows/templates.yml").toFile());
    JsonNode build = workflow.path("jobs").path("build");
    assertThat(build.path("strategy").path("matrix").asText())
        .isEqualTo("${{ fromJSON(needs.plan.outputs.matrix) }}");
    assertThat(workflow.path("jobs").path("plan").toString()).contains("--format github");
    // every matrix.X the build job reads is in every entry fromJSON gives it
    Matcher m = Pattern.compile("matrix\\.([A-Za-z]+)").matcher(build.toString());
    TreeSet<String> used = new TreeSet<>();
    while (m.find()) {
      used.add(m.group(1));
    }
    assertThat(used).contains("entry", "os", "sourceKey");
    List<String> entries = new ArrayList<>();
    for (JsonNode include : strategy.path("include")) {
      for (String key : used) {
        assertThat(include.path(key).asText()).as(key + " in " + include).isNotEmpty();
      }
      entries.add(include.path("entry").asText());
    }
    assertThat(entries).containsExactly("web", "db");
    // two sources, two cache keys
    assertThat(strategy.path("include").get(0).path("sourceKey").asText()).isNotEqualTo(
        strategy.path("include").get(1).path("sourceKey").asText());
  }

  @Test
  void eachJobBuildsItsEntryAndCollectMergesTheJobsManifests() throws Exception {
    Path m = matrix();
    CliTest.Run typo = CliTest.kiln("build", "--matrix", m.toString(), "--only", "wbe");
    assertThat(typo.exit()).isEqualTo(1);
    assertThat(typo.err().strip()).isEqualTo("kiln build --matrix: the matrix has no entry "
        + "'wbe' (did you mean 'web'?); its entries: web, db");
    for (String entry : List.of("web", "db")) {
      CliTest.Run job = CliTest.kiln("build", "--matrix", m.toString(), "--only", entry,
          "--out", dir.resolve("jobs/template-" + entry).toString(), "--work-root",
          dir.resolve("work").toString(), "--quiet");
      assertThat(job.exit()).as(job.out() + job.err()).isEqualTo(9);
      JsonNode own = JSON.readTree(dir.resolve("jobs/template-" + entry
          + "/matrix-manifest.json").toFile());
      assertThat(own.path("builds")).hasSize(1); // the job built its entry alone
      assertThat(own.path("builds").get(0).path("id").asText()).isEqualTo(entry);
    }
    CliTest.Run collect = CliTest.kiln("matrix", "collect", dir.resolve("jobs").toString(),
        "--out", dir.resolve("merged").toString());
    assertThat(collect.exit()).as(collect.err()).isEqualTo(9);
    assertThat(collect.out()).contains("BUILD", "web", "db", "FAILED");
    JsonNode merged = JSON.readTree(dir.resolve("merged/matrix-manifest.json").toFile());
    assertThat(merged.path("builds")).hasSize(2);
    for (JsonNode b : merged.path("builds")) {
      assertThat(b.path("result").asText()).isEqualTo("failed");
      assertThat(b.path("error").asText()).contains("127.0.0.1:9");
    }
    assertThat(merged.path("collectedFrom").toString()).contains(
        "template-db/matrix-manifest.json", "template-web/matrix-manifest.json");
    // the same job twice is an error, not a silent overwrite
    CliTest.Run twice = CliTest.kiln("matrix", "collect", dir.resolve("jobs").toString(),
        dir.resolve("jobs/template-web").toString(), "--out", dir.resolve("again").toString());
    assertThat(twice.exit()).isEqualTo(1);
    assertThat(twice.err()).contains("entry web was built by two jobs");
  }

  @Test
  void theWorkflowsPassTheValidatorAndABrokenOneDoesNot() throws Exception {
    assertThat(VALIDATOR).as("run scripts/host-setup.sh").isExecutable();
    for (String f : List.of("ci.yml", "templates.yml")) {
      var r = dev.kiln.kvm.Fixtures.run(List.of(VALIDATOR.toString(), REPO.resolve(
          ".github/workflows/" + f).toString()), 120);
      assertThat(r.exit()).as(f + ": " + r.output()).isZero();
    }
    Path broken = dir.resolve("broken.yml");
    Files.writeString(broken, Files.readString(REPO.resolve(".github/workflows/templates.yml"))
        .replace("runs-on: ubuntu-24.04\n    timeout-minutes", "runs-on: ubuntu-24.04\n    "
            + "timeout-minute"));
    assertThat(Files.readString(broken)).contains("timeout-minute:");
    var r = dev.kiln.kvm.Fixtures.run(List.of(VALIDATOR.toString(), broken.toString()), 120);
    assertThat(r.exit()).isNotZero();
    assertThat(r.output()).contains("timeout-minute");
  }
}
