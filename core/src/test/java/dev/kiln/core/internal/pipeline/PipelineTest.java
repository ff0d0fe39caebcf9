package dev.kiln.core.internal.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.CommunicatorException;
import dev.kiln.api.PublishException;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.Recipe;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.spi.Publisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline with fakes on the machine side (no VM can run in a unit test; the VM tests in
 * {@code examples} run the same stages for real): failure attribution, diagnostics saved
 * before cleanup, the cleanup stack unwound in reverse, nothing left behind.
 */
class PipelineTest {
  @TempDir
  Path tmp;

  @Test
  void aCloudImageBuildRunsEveryStageAndLeavesOnlyItsRecord() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    BuildResult r = f.pipeline(f.cloudImageRecipe().build()).run();

    assertThat(r.stageTimes()).containsOnlyKeys(Stage.SOURCE, Stage.CONNECT, Stage.PROVISION,
        Stage.GENERALIZE, Stage.EXPORT);
    assertThat(r.artifacts()).extracting(a -> a.file().getFileName().toString())
        .containsExactly("fake.qcow2", "fake.vhd");
    // SSH goes to the address the machine gives, not to a loopback address of its own
    assertThat(f.log).contains("connect guest.test:2222 as kiln-build", "forward 3142");
    // the overlay is as large as the recipe's disk, whatever the base's size
    var buildDisk = f.hypervisor.machines.get(0).spec.disks().get(0);
    assertThat(buildDisk.overlay()).isTrue();
    assertThat(buildDisk.minimumSize()).isEqualTo(PipelineFixture.DISK_SIZE);
    // cleanup: connection at the end of generalize, machine after export, hypervisor last
    assertThat(f.log).containsSubsequence("close connection", "close build",
        "close hypervisor");
    assertThat(f.hypervisor.open()).isEmpty();
    assertThat(f.buildDirectory()).containsExactly("build.log", "packages.txt");
    assertThat(Files.readAllLines(f.work.resolve("builds/b1/build.log")))
        .anyMatch(l -> l.endsWith(" [source] started"))
        .anyMatch(l -> l.matches(".* \\[export] done in \\d+\\.\\d s"));
    try (Stream<Path> s = Files.list(f.out)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
          "fake.qcow2", "fake.vhd", "SHA256SUMS", "manifest.json", "sbom.cdx.json");
    }
    JsonNode m = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile());
    assertThat(m.path("buildId").asText()).isEqualTo("b1");
    assertThat(m.path("source").path("type").asText()).isEqualTo("cloud-image");
    assertThat(m.path("generalizeSurvivors").get(0).asText()).isEqualTo("/home/kiln-build");
    assertThat(m.path("packages")).hasSize(2);
    // every grain handed to the writers (the largest writer's grain, so zeros around the data)
    assertThat(m.path("privateKeyScan").path("scannedBytes").asLong()).isBetween(65536L,
        16L << 20);
    assertThat(m.path("privateKeyScan").path("findings")).isEmpty();
    assertThat(m.path("secretScan").path("searched").toString())
        .contains("the build's SSH private key");
    assertThat(m.path("secretScan").path("findings")).isEmpty();
    assertThat(m.path("artifacts").get(1).path("checksums").path("SHA-256").asText())
        .isEqualTo(PipelineFixture.sha256(f.out.resolve("fake.vhd")));
    // packages as objects, from the package database the SBOM is made from
    assertThat(m.path("packages").get(0).fieldNames()).toIterable().containsExactly("name",
        "version", "arch");
    // where it ran: the accelerator the fake machine reports, not the recipe's "auto"
    assertThat(m.path("host").path("accelerator").asText()).isEqualTo("tcg");
    assertThat(m.path("host").path("java").asText()).startsWith("Java ");
    assertThat(m.path("artifacts").get(0).path("virtualSize").asLong()).isPositive();
    assertThat(m.fieldNames()).toIterable().containsExactly("kilnVersion", "buildId",
        "recipe", "os", "host", "started", "source", "generalizeSurvivors", "privateKeyScan",
        "secretScan", "finished",
        "stageSeconds", "artifacts", "packages", "security", "sbom", "published");
  }

  /** The recipe file a build came from is named in the manifest with the digest coreutils computes. */
  @Test
  void theManifestNamesTheRecipeFileWithItsDigest() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Path recipe = Files.writeString(tmp.resolve("web.yaml"), "name: fake # as read\n");
    f.recipeFile = Optional.of(recipe);
    f.run(f.cloudImageRecipe().build());
    Process p = new ProcessBuilder("sha256sum", recipe.toString()).start();
    String hex = new String(p.getInputStream().readAllBytes()).split(" ")[0];
    assertThat(p.waitFor()).isZero();
    JsonNode m = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile());
    assertThat(m.path("recipeFile").path("file").asText()).isEqualTo("web.yaml");
    assertThat(m.path("recipeFile").path("sha256").asText()).isEqualTo(hex);
  }

  /** The recipe's checksums: computed as written, in the manifest and in coreutils' files. */
  @Test
  void theRecipesChecksumsAreTheSumsFilesCoreutilsChecks() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.run(f.cloudImageRecipe().checksums(Set.of(dev.kiln.api.Checksum.Algorithm.SHA512,
        dev.kiln.api.Checksum.Algorithm.MD5)).build());
    for (String check : List.of("sha256sum -c SHA256SUMS", "sha512sum -c sha512sum.txt",
        "md5sum -c MD5SUMS")) {
      Process p = new ProcessBuilder("bash", "-c", "cd " + f.out + " && " + check)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as(check + ": " + out).isZero();
      assertThat(out).contains("fake.qcow2: OK", "fake.vhd: OK");
    }
    JsonNode m = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile());
    assertThat(m.path("artifacts").get(0).path("checksums").fieldNames()).toIterable()
        .containsExactly("SHA-256", "SHA-512", "MD5");
    // the default: SHA-256 alone, as CloudStack's registration needs it
    PipelineFixture d = new PipelineFixture(tmp.resolve("default"));
    d.run(d.cloudImageRecipe().build());
    JsonNode dm = new ObjectMapper().readTree(d.out.resolve("manifest.json").toFile());
    assertThat(dm.path("artifacts").get(0).path("checksums").fieldNames()).toIterable()
        .containsExactly("SHA-256");
    assertThat(d.out.resolve("sha512sum.txt")).doesNotExist();
  }

  /** The last event of every build is its summary: what metrics and the history record. */
  @Test
  void everyBuildEndsWithItsSummaryWhetherItSucceedsOrFails() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.queueWait = java.time.Duration.ofSeconds(7);
    f.pipeline(f.cloudImageRecipe().build()).run();
    BuildSummary ok = lastSummary(f);
    assertThat(ok.succeeded()).isTrue();
    assertThat(ok.result()).isEqualTo("success");
    assertThat(ok.failedStage()).isEmpty();
    assertThat(ok.os()).isEqualTo("fakeos");
    assertThat(ok.host()).isEqualTo("localhost");
    assertThat(ok.queueWait()).hasSeconds(7);
    assertThat(ok.stageTimes()).containsOnlyKeys(Stage.SOURCE, Stage.CONNECT, Stage.PROVISION,
        Stage.GENERALIZE, Stage.EXPORT);
    // the disk size inside, as qemu-img reads it from the artifact
    Process info = new ProcessBuilder("qemu-img", "info", "--output=json",
        f.out.resolve("fake.qcow2").toString()).redirectErrorStream(true).start();
    long virtual = new ObjectMapper().readTree(info.getInputStream()).path("virtual-size")
        .asLong();
    assertThat(info.waitFor()).isZero();
    assertThat(ok.artifacts()).extracting(BuildSummary.Artifact::file,
        BuildSummary.Artifact::format, BuildSummary.Artifact::virtualBytes).containsExactly(
            org.assertj.core.groups.Tuple.tuple("fake.qcow2", "qcow2", virtual),
            org.assertj.core.groups.Tuple.tuple("fake.vhd", "vhd", virtual));
    assertThat(ok.artifacts().get(1).bytes()).isEqualTo(Files.size(f.out.resolve("fake.vhd")));
    // a local cloud image is neither a cache hit nor a miss; a cloud image installs nothing
    assertThat(ok.downloadCacheHits() + ok.downloadCacheMisses()).isZero();
    assertThat(ok.installCacheHit()).isEmpty();
    assertThat(ok.peakDiskBytes()).isPositive();
    assertThat(f.events.get(f.events.size() - 1)).isInstanceOf(KilnEvent.BuildFinished.class);

    PipelineFixture g = new PipelineFixture(tmp.resolve("second"));
    g.guest.failOn = Optional.of("step-1.sh");
    fail(g, g.cloudImageRecipe().build(), Stage.PROVISION);
    BuildSummary failed = lastSummary(g);
    assertThat(failed.succeeded()).isFalse();
    assertThat(failed.failedStage()).contains(Stage.PROVISION);
    assertThat(failed.artifacts()).isEmpty();
    assertThat(failed.stageTimes()).containsOnlyKeys(Stage.SOURCE, Stage.CONNECT,
        Stage.PROVISION);
  }

  private static BuildSummary lastSummary(PipelineFixture f) {
    return f.events.stream().filter(KilnEvent.BuildFinished.class::isInstance)
        .map(e -> ((KilnEvent.BuildFinished) e).summary()).reduce((a, b) -> b).orElseThrow();
  }

  /** Defect: network, VNC and forwards were unreachable; SSH assumed 127.0.0.1 regardless. */
  @Test
  void theRecipesNetworkAndVncReachTheMachineAndSshUsesItsAddress() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Recipe.Builder r = f.cloudImageRecipe();
    Recipe recipe = r.build();
    recipe = recipe.toBuilder().machine(recipe.machine().toBuilder().libvirtNetwork("prod")
        .vnc(true).build()).build();
    f.pipeline(recipe).run();
    var spec = f.hypervisor.machines.get(0).spec;
    assertThat(spec.libvirtNetwork()).contains("prod");
    assertThat(spec.vnc()).isTrue();
    assertThat(f.log).contains("connect guest.test:2222 as kiln-build");
  }

  @Test
  void anIsoBuildInstallsThenReusesTheInstalledDisk() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Recipe recipe = f.isoRecipe().build();
    BuildResult first = f.pipeline(recipe).run();
    assertThat(first.installReused()).isFalse();
    assertThat(f.log).containsSubsequence("create install", "start install", "close install",
        "create build");
    assertThat(lastSummary(f).installCacheHit()).contains(false);
    PipelineFixture again = new PipelineFixture(tmp);
    BuildResult second = again.pipeline(recipe).run();
    assertThat(second.installReused()).isTrue();
    assertThat(lastSummary(again).installCacheHit()).contains(true);
    assertThat(f.buildDirectory()).containsExactly("build.log", "packages.txt");
  }

  /** A failure in each stage: its stage, diagnostics first, cleanup in reverse, no leftovers. */
  @Test
  void sourceFailureIsTheSourceStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Recipe recipe = f.cloudImageRecipe().build();
    Files.writeString(tmp.resolve("base.qcow2"), "changed after the checksum was taken");
    BuildFailedException e = fail(f, recipe, Stage.SOURCE);
    assertThat(e.getMessage()).contains("checksum");
    assertThat(f.hypervisor.machines).isEmpty();
  }

  @Test
  void installerThatNeverPowersOffIsTheInstallStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.hypervisor.hangs = Set.of("install");
    BuildFailedException e = fail(f, f.isoRecipe().build(), Stage.INSTALL);
    assertThat(e.getMessage()).contains("did not power off");
    assertThat(e.diagnostics()).contains("console of install");
    assertThat(f.log).containsSubsequence("diagnostics install", "close install",
        "close hypervisor");
    // only the build's log is left, and it says where the build stopped
    assertThat(f.buildDirectory()).containsExactly("build.log");
    assertThat(Files.readString(f.work.resolve("builds/b1/build.log")))
        .contains("[source] started", "[install] FAILED in ");
  }

  @Test
  void connectionRefusedIsTheConnectStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.connector = (address, user, key, deadline, machine, ev) -> {
      throw new CommunicatorException("no SSH banner from " + address);
    };
    BuildFailedException e = fail(f, f.cloudImageRecipe().build(), Stage.CONNECT);
    assertThat(e.diagnostics()).contains("console of build");
    assertThat(f.log).containsSubsequence("diagnostics build", "close build",
        "close hypervisor");
  }

  @Test
  void failingProvisionStepIsTheProvisionStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.guest.failOn = Optional.of("step-1.sh");
    BuildFailedException e = fail(f, f.cloudImageRecipe().build(), Stage.PROVISION);
    assertThat(e.getMessage()).contains("step-1.sh");
    assertThat(f.log).containsSubsequence("diagnostics build", "close connection",
        "close build", "close hypervisor");
  }

  @Test
  void failingGeneralizeIsTheGeneralizeStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.guest.failOn = Optional.of("generalize.sh");
    fail(f, f.cloudImageRecipe().build(), Stage.GENERALIZE);
    assertThat(f.log).containsSubsequence("diagnostics build", "close connection",
        "close build", "close hypervisor");
  }

  @Test
  void unwritableOutputIsTheExportStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Files.writeString(f.out, "a file where the output directory should be");
    BuildFailedException e = fail(f, f.cloudImageRecipe().build(), Stage.EXPORT);
    assertThat(e.diagnostics()).contains("console of build");
  }

  @Test
  void refusedPublishIsThePublishStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.publishing = new PublishRouting(true, Optional.of((id, artifacts, target, events) -> {
      throw new PublishException("431: zone1 is disabled");
    }), List.of(), Optional.empty());
    Recipe recipe = f.cloudImageRecipe().addPublishTarget(PipelineFixture.target("lab"))
        .build();
    BuildFailedException e = fail(f, recipe, Stage.PUBLISH);
    assertThat(e.getMessage()).isEqualTo("publish stage failed: 431: zone1 is disabled");
    // the artifacts and their manifest stay: publishing can be repeated with kiln publish
    assertThat(f.out.resolve("manifest.json")).exists();
    assertThat(f.out.resolve("fake.vhd")).exists();
  }

  /** Defect: a failure after the stages (the manifest write) was blamed on SOURCE. */
  @Test
  void manifestWriteAfterPublishingIsThePublishStage() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Publisher publisher = (id, artifacts, target, events) -> {
      // the manifest's place is taken while publishing: its rewrite must fail
      Path manifest = f.out.resolve("manifest.json");
      try {
        Files.delete(manifest);
        Files.createDirectories(manifest.resolve("in-the-way"));
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      return List.of(new PublishedTemplate("t-1", "fake", "zone1", "KVM"));
    };
    f.publishing = new PublishRouting(true, Optional.of(publisher), List.of(),
        Optional.empty());
    Recipe recipe = f.cloudImageRecipe().addPublishTarget(PipelineFixture.target("lab"))
        .build();
    fail(f, recipe, Stage.PUBLISH);
    assertThat(f.out.resolve("manifest.json.partial")).doesNotExist();
  }

  /** A deleted host key in a free block is still in the image: the export refuses it. */
  @Test
  void privateKeyMaterialInTheDiskFailsTheExportAndRemovesTheArtifacts() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    // the first line of an ed25519 key's body ("openssh-key-v1\0…" in Base64)
    String body = "\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n";
    Recipe recipe = f.cloudImageRecipe("\0\0-----BEGIN OPENSSH PRIVATE KEY-----" + body)
        .build();
    BuildFailedException e = fail(f, recipe, Stage.EXPORT);
    assertThat(e.getMessage()).contains("OPENSSH PRIVATE KEY at disk offset 1048578")
        .contains("--allow-private-keys");
    assertThat(f.out.resolve("fake.qcow2")).doesNotExist();
    assertThat(f.out.resolve("fake.vhd")).doesNotExist();

    PipelineFixture allowed = new PipelineFixture(tmp.resolve("allowed"));
    allowed.allowPrivateKeys = true;
    allowed.pipeline(allowed.cloudImageRecipe("-----BEGIN RSA PRIVATE KEY-----"
        + body).build()).run();
    JsonNode m = new ObjectMapper().readTree(allowed.out.resolve("manifest.json").toFile());
    assertThat(m.path("privateKeyScan").path("findings").get(0).path("header").asText())
        .isEqualTo("RSA PRIVATE KEY");
    assertThat(allowed.events).anySatisfy(ev -> assertThat(ev).isInstanceOfSatisfying(
        KilnEvent.Warning.class, w -> assertThat(w.code()).isEqualTo("export.private-key")));
  }

  /** A provisioning step that wrote the root password into a file: found, never printed. */
  @Test
  void aRecipeSecretInTheDiskFailsTheExportWithItsOffsetAndNotItsValue() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    String secret = "s3cr3t-Pa55word";
    Recipe recipe = f.cloudImageRecipe("root:" + secret + "\n").answers(
        dev.kiln.api.Answers.builder().rootPassword(dev.kiln.api.Secret.of(secret)).build())
        .build();
    BuildFailedException e = fail(f, recipe, Stage.EXPORT);
    assertThat(e.getMessage()).contains("the recipe's root password at disk offset "
        + ((1 << 20) + 5)).doesNotContain(secret);
    assertThat(String.join("\n", e.diagnostics())).doesNotContain(secret);
    assertThat(f.out.resolve("fake.qcow2")).doesNotExist();
    assertThat(Files.readString(f.work.resolve("builds/b1/build.log"))).doesNotContain(secret);
    assertThat(f.events.toString()).doesNotContain(secret);
  }

  @Test
  void keepOnErrorKeepsTheMachineAndSaysHowToReachIt() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.keepOnError = true;
    f.guest.failOn = Optional.of("step-1.sh");
    fail(f, f.cloudImageRecipe().build(), Stage.PROVISION);
    assertThat(f.hypervisor.open()).hasSize(1);
    assertThat(f.log).doesNotContain("close build");
    assertThat(f.buildDirectory()).contains("id_ed25519", "seed.iso");
    assertThat(f.events).anySatisfy(ev -> assertThat(ev).isInstanceOfSatisfying(
        KilnEvent.Warning.class, w -> assertThat(w.message()).contains("was kept running")
            .contains("ssh -i " + f.work.resolve("builds/b1/id_ed25519") + " -p 2222 "
                + "kiln-build@guest.test")));
  }

  @Test
  void aFailurePauseSeesTheRunningMachineAndCleanupFollowsWhenItReturns() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.guest.failOn = Optional.of("step-1.sh");
    List<String> seen = new java.util.ArrayList<>();
    f.failurePause = (stage, error, machine, how) -> {
      seen.add(stage + " | " + error + " | " + machine + " | " + how);
      // while the pause lasts the machine runs and the key the ssh line names is there
      seen.add("open " + f.hypervisor.open().size());
      seen.add("key " + Files.exists(f.work.resolve("builds/b1/id_ed25519")));
      return false;
    };
    fail(f, f.cloudImageRecipe().build(), Stage.PROVISION); // and everything is cleaned up
    assertThat(seen).hasSize(3);
    assertThat(seen.get(0)).startsWith("PROVISION | ").contains("step-1.sh")
        .endsWith("ssh -i " + f.work.resolve("builds/b1/id_ed25519") + " -p 2222 "
            + "kiln-build@guest.test");
    assertThat(seen.subList(1, 3)).containsExactly("open 1", "key true");
    assertThat(f.buildDirectory()).doesNotContain("id_ed25519", "id_ed25519.pub");
  }

  @Test
  void aFailurePauseMayKeepTheMachine() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    f.guest.failOn = Optional.of("step-1.sh");
    f.failurePause = (stage, error, machine, how) -> true;
    f.keepOnError = false;
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> f.pipeline(
        f.cloudImageRecipe().build()).run());
    assertThat(t).isInstanceOf(BuildFailedException.class);
    assertThat(f.hypervisor.open()).hasSize(1);
    assertThat(f.buildDirectory()).contains("id_ed25519");
    assertThat(f.events).anySatisfy(ev -> assertThat(ev).isInstanceOfSatisfying(
        KilnEvent.Warning.class, w -> assertThat(w.message()).contains("was kept running")));
  }

  @Test
  void aFailureBeforeAnyMachineRunsDoesNotPause() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    List<Stage> paused = new java.util.ArrayList<>();
    f.failurePause = (stage, error, machine, how) -> paused.add(stage);
    // (add returns true, "keep": never asked here)
    Recipe recipe = f.cloudImageRecipe().build();
    Files.writeString(tmp.resolve("base.qcow2"), "changed after the checksum was taken");
    fail(f, recipe, Stage.SOURCE);
    assertThat(paused).isEmpty();
  }

  /** Runs the build expecting {@code stage} to fail; checks what every failure must leave. */
  private static BuildFailedException fail(PipelineFixture f, Recipe recipe, Stage stage)
      throws Exception {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> f.pipeline(recipe)
        .run());
    assertThat(t).isInstanceOf(BuildFailedException.class);
    BuildFailedException e = (BuildFailedException) t;
    assertThat(e.stage()).as(e.getMessage()).isEqualTo(stage);
    assertThat(e.getMessage()).doesNotContain("null");
    assertThat(e.diagnostics()).first().asString().startsWith("error: ");
    assertThat(f.events).anySatisfy(ev -> assertThat(ev).isInstanceOfSatisfying(
        KilnEvent.StageFinished.class, s -> {
          assertThat(s.stage()).isEqualTo(stage);
          assertThat(s.succeeded()).isFalse();
        }));
    if (!f.keepOnError) {
      assertThat(f.hypervisor.open()).isEmpty();
      if (!f.hypervisor.machines.isEmpty()) {
        assertThat(f.hypervisor.closed).isTrue();
      }
      assertThat(f.guest.closed || !f.log.stream().anyMatch(l -> l.startsWith("connect")))
          .isTrue();
      assertThat(f.buildDirectory()).doesNotContain("seed.iso", "kernel", "initrd",
          "install-disk.qcow2", "id_ed25519");
    }
    if (Files.isDirectory(f.out)) {
      try (Stream<Path> s = Files.walk(f.out)) {
        assertThat(s.map(Path::toString)).noneMatch(p -> p.endsWith(".partial"));
      }
    }
    return e;
  }
}
