package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.OutputSpec;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.Recipe;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.stepcache.StepCache;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step cache in the pipeline, with the fake hypervisor (no VM in a unit test; the real
 * freeze and boot from layers are BuildPipelineVmTest's): which steps a rebuild runs is read
 * from the guest's command log, so a step that was "reused" but ran anyway shows.
 */
class StepCachePipelineTest {
  @TempDir
  Path root;
  PipelineFixture f;
  Recipe base;
  Path script;

  @BeforeEach
  void fixture() throws Exception {
    f = new PipelineFixture(root);
    f.hypervisor.layers = true;
    f.stepCacheBytes = 1L << 30;
    base = f.cloudImageRecipe().build();
    script = root.resolve("step3.sh");
    Files.writeString(script, "echo three\n");
  }

  /** The recipe with three steps: inline text {@code one}, {@code two}, then a script file. */
  Recipe recipe(String one, String two) {
    return Recipe.builder(base.os(), base.source()).name("fake").machine(base.machine())
        .addProvisionStep(shell(one)).addProvisionStep(shell(two))
        .addProvisionStep(new ProvisionStep.Shell(Optional.empty(), Optional.of(script),
            Duration.ofMinutes(1)))
        .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE))
        .build();
  }

  static ProvisionStep shell(String text) {
    return new ProvisionStep.Shell(Optional.of("echo " + text), Optional.empty(),
        Duration.ofMinutes(1));
  }

  /** Builds {@code r}; returns the steps whose scripts reached the guest, and the reuse. */
  Run build(Recipe r) throws Exception {
    f.guest.commands.clear();
    f.events.clear();
    deleteTree(f.out);
    deleteTree(f.work.resolve("builds"));
    f.run(r);
    List<String> ran = f.guest.commands.stream().filter(c -> c.startsWith(
        "upload /tmp/kiln-upload-step-")).map(c -> c.replaceAll(".*step-(\\d+)\\.sh", "$1"))
        .toList();
    KilnEvent.StepsReused reused = f.events.stream().filter(KilnEvent.StepsReused.class
        ::isInstance).map(KilnEvent.StepsReused.class::cast).findFirst().orElseThrow();
    return new Run(ran, reused.reused());
  }

  record Run(List<String> ran, int reused) {}

  @Test
  void aRebuildRunsOnlyTheStepsAfterItsLongestUnchangedPrefix() throws Exception {
    Run cold = build(recipe("one", "two"));
    assertThat(cold.reused()).isZero();
    assertThat(cold.ran()).containsExactly("1", "2", "3");
    assertThat(StepCache.under(f.work).entries()).hasSize(3);

    Run same = build(recipe("one", "two"));
    assertThat(same.reused()).isEqualTo(3);
    assertThat(same.ran()).isEmpty();

    // the second step changed: the first is reused, the third runs again although its text
    // did not change (it ran on a different disk)
    Run second = build(recipe("one", "TWO"));
    assertThat(second.reused()).isEqualTo(1);
    assertThat(second.ran()).containsExactly("2", "3");

    // the script file's content is an input (its path is the same)
    Files.writeString(script, "echo THREE\n");
    Run third = build(recipe("one", "TWO"));
    assertThat(third.reused()).isEqualTo(2);
    assertThat(third.ran()).containsExactly("3");

    // the first step changed: nothing is reused
    Run first = build(recipe("ONE", "TWO"));
    assertThat(first.reused()).isZero();
    assertThat(first.ran()).containsExactly("1", "2", "3");
  }

  @Test
  void aChangedBaseDiskIsNeverReusedAndNeitherIsAnyLayerWithoutItsParent() throws Exception {
    build(recipe("one", "two"));
    // the same recipe over a rebuilt base (another modification time, other bytes)
    base = f.cloudImageRecipe("another base").build();
    Run rebuilt = build(recipe("one", "two"));
    assertThat(rebuilt.reused()).isZero();
    assertThat(rebuilt.ran()).containsExactly("1", "2", "3");

    // a layer whose parent is gone cannot be booted: the prefix stops before it
    List<StepCache.Entry> entries = StepCache.under(f.work).entries();
    StepCache.Entry firstStep = entries.stream().filter(e -> e.step() == 1 && e.base()
        .equals(root.resolve("base.qcow2").toAbsolutePath())).reduce((a, b) -> b).orElseThrow();
    Files.delete(StepCache.under(f.work).layer(firstStep.key()));
    Run orphaned = build(recipe("one", "two"));
    assertThat(orphaned.reused()).isZero();
  }

  @Test
  void noCacheRunsEveryStepAndKeepsNothing() throws Exception {
    f.stepCacheBytes = 0;
    f.run(recipe("one", "two"));
    assertThat(f.events).noneMatch(KilnEvent.StepsReused.class::isInstance);
    assertThat(f.log).noneMatch(l -> l.startsWith("freeze"));
    assertThat(StepCache.under(f.work).entries()).isEmpty();
  }

  @Test
  void theManifestListsTheKeysAndTheReuse() throws Exception {
    build(recipe("one", "two"));
    build(recipe("one", "TWO"));
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.out.resolve(
        ManifestWriter.FILE).toFile()).path("stepCache");
    assertThat(manifest.path("reusedSteps").asInt()).isEqualTo(1);
    assertThat(manifest.path("keys")).hasSize(3);
    assertThat(manifest.path("keys").get(0).asText()).matches("[0-9a-f]{64}");
  }

  static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
