package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.api.Accelerator;
import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Checksum;
import dev.kiln.api.CloudImageSource;
import dev.kiln.api.IsoSource;
import dev.kiln.api.MachineSettings;
import dev.kiln.api.OsSelection;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.Recipe;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.core.Build;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.kvm.Fixtures;
import dev.kiln.kvm.KvmHypervisor;
import dev.kiln.templates.Catalog;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln build} end to end under TCG: the cloud-image flow (the Debian fixture served over
 * loopback HTTP with a SUMS file), the ISO flow (a small installer ISO, answers on Kiln's
 * OEMDRV seed, the install cached and reused), and failure paths. Artifacts are judged by
 * qemu-img compare against the raw output (the final disk, written in the same read).
 */
@Tag("vm")
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class BuildPipelineVmTest {
  /** Every build's summary, across the class's tests, for the history test that runs last. */
  static final List<KilnEvent.BuildFinished> FINISHED = new CopyOnWriteArrayList<>();
  /** Debian's scap-security-guide 0.1.76 (trixie), the first with Debian 12 content. */
  static final String SSG_DEBIAN = "http://deb.debian.org/debian/pool/main/s/"
      + "scap-security-guide/ssg-debian_0.1.76-1_all.deb";
  static final String SSG_DEBIAN_SHA256 =
      "f6880719015c16e8e221bc2503c0e5a9f83d6a09fc6f9292d3522e46bf4fc9d7";
  Path dir;
  Path work;
  List<KilnEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void dirs() throws Exception {
    dir = Fixtures.reachableTempDir("kiln-e2e-");
    work = Fixtures.reachableTempDir("kiln-e2e-work-");
  }

  @AfterEach
  void cleanup() throws Exception {
    new ProcessBuilder("rm", "-rf", dir.toString(), work.toString()).start().waitFor();
    assertThat(Fixtures.run(List.of("virsh", "-c", "qemu:///system", "list", "--all",
        "--name"), 30).output()).doesNotContain("kiln-e2e");
  }

  Build.Builder build(Recipe recipe, String id) {
    Catalog catalog = Catalog.builtIn();
    TestInstallerProfile installer = new TestInstallerProfile();
    return Build.builder(recipe).buildId(id).workRoot(work).outputDirectory(dir.resolve(
        "out-" + id)).events(EventHandlers.builder().addAll(events::add)
        .add(KilnEvent.BuildFinished.class, FINISHED::add).build())
        .hypervisors(uri -> KvmHypervisor.builder().uri(uri).workRoot(work).build())
        .osCatalog(os -> os.id().equals("kiln-test-installer") ? Optional.of(installer)
            : catalog.profile(os));
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] b = new byte[1 << 20];
      int n;
      while ((n = in.read(b)) > 0) {
        md.update(b, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static Fixtures.Result run(String command) throws Exception {
    return Fixtures.run(List.of("bash", "-c", command), 600);
  }

  static MachineSettings machine() {
    return MachineSettings.builder().cpus(2).memoryMiB(1536).accelerator(Accelerator.TCG)
        .diskSizeBytes(3L << 30).build();
  }

  /** The fixture as a vendor would ship it: qcow2, with a SHA256SUMS next to it. */
  Path cloudImage() throws Exception {
    Path qcow2 = dir.resolve("debian-12-genericcloud-amd64.qcow2");
    ImageConverter.convert(Fixtures.debian12(), qcow2, ConversionTarget.of(
        dev.kiln.formats.ImageFormat.QCOW2, dev.kiln.formats.pack.Packaging.NONE), 2, n -> { });
    Files.writeString(dir.resolve("SHA256SUMS"), sha256(qcow2) + "  " + qcow2.getFileName()
        + "\n");
    return qcow2;
  }

  HttpServer serve() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 4);
    http.createContext("/images/", ex -> {
      Path f = dir.resolve(ex.getRequestURI().getPath().substring("/images/".length()));
      if (!Files.isRegularFile(f) || f.getFileName().toString().contains("..")) {
        ex.sendResponseHeaders(404, -1);
        ex.close();
        return;
      }
      ex.sendResponseHeaders(200, Files.size(f));
      try (OutputStream o = ex.getResponseBody()) {
        Files.copy(f, o);
      }
    });
    http.start();
    return http;
  }

  @Test
  void cloudImageFlowToQcow2VhdAndOva() throws Exception {
    Path image = cloudImage();
    HttpServer http = serve();
    try (AptCache cache = AptCache.start()) {
      String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/images/";
      Recipe recipe = Recipe.builder(new OsSelection("debian", "12"), new CloudImageSource(
              new RemoteFile(List.of(URI.create(base + image.getFileName())), Optional.empty(),
                  Optional.empty(), Optional.of(URI.create(base + "SHA256SUMS")))))
          // 1 GiB more than the 3 GiB image: the overlay grows and cloud-init grows the root
          // filesystem into it on the build boot (checked inside the guest, then on the disk)
          .name("e2e-debian").machine(machine().toBuilder().diskSizeBytes(4L << 30).build())
          .addProvisionStep(new ProvisionStep.Shell(Optional.of(
              "echo built-by-kiln > /etc/kiln-e2e\n"
              + "size=$(df -B1 --output=size / | tail -1)\n"
              + "[ \"$size\" -gt 3700000000 ] || { echo \"root filesystem not grown: $size\"; "
              + "lsblk; exit 1; }"), Optional.empty(), Duration.ofMinutes(2)))
          .addProvisionStep(new ProvisionStep.Reboot(Duration.ofMinutes(8)))
          .addProvisionStep(new ProvisionStep.Packages(List.of("jq"), false))
          .addTest(new dev.kiln.api.TemplateTest("jq is installed", "jq --version", 0,
              Optional.of("^jq-1\\.")))
          .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE))
          .addOutput(new OutputSpec(TargetHypervisor.XENSERVER, ImageFormat.VHD,
              Packaging.BZIP2))
          .addOutput(new OutputSpec(TargetHypervisor.VMWARE, ImageFormat.OVA, Packaging.NONE))
          .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.RAW, Packaging.NONE))
          .checksums(java.util.Set.of(Checksum.Algorithm.SHA512))
          // the real scanner with Debian's own guide, fetched and verified from the mirror
          .hardening(new dev.kiln.api.HardeningScan("standard", Optional.of(new RemoteFile(
              List.of(URI.create(SSG_DEBIAN)), Optional.empty(), Optional.of(Checksum.parse(
                  "sha256:" + SSG_DEBIAN_SHA256)), Optional.empty())), Optional.empty(),
              java.util.OptionalInt.empty()))
          .build();
      BuildResult r = build(recipe, "kiln-e2e-cloud").packageProxy(cache.port).build().run();
      Path out = dir.resolve("out-kiln-e2e-cloud");
      assertThat(r.stageTimes()).containsKeys(Stage.SOURCE, Stage.CONNECT, Stage.PROVISION,
          Stage.GENERALIZE, Stage.EXPORT);
      Path raw = out.resolve("e2e-debian.raw");
      Fixtures.Result q = run("qemu-img compare -f raw -F qcow2 " + raw + " "
          + out.resolve("e2e-debian.qcow2"));
      assertThat(q.exit()).as(q.output()).isZero();
      Fixtures.Result v = run("cd " + out + " && bunzip2 -k e2e-debian.vhd.bz2 && qemu-img "
          + "compare -f raw -F vpc e2e-debian.raw e2e-debian.vhd");
      assertThat(v.exit()).as(v.output()).isZero();
      Fixtures.Result o = run("cd " + out + " && mkdir ova && tar -xf e2e-debian.ova -C ova"
          + " && qemu-img compare -f raw -F vmdk e2e-debian.raw ova/*.vmdk");
      assertThat(o.exit()).as(o.output()).isZero();
      Fixtures.Result info = run("qemu-img info --output=json " + out.resolve(
          "e2e-debian.qcow2"));
      assertThat(new ObjectMapper().readTree(info.output()).path("virtual-size").asLong())
          .isEqualTo(4L << 30);
      Fixtures.Result sums = run("cd " + out + " && sha256sum -c SHA256SUMS && sha512sum -c "
          + "sha512sum.txt");
      assertThat(sums.exit()).as(sums.output()).isZero();
      JsonNode manifest = new ObjectMapper().readTree(r.manifest().toFile());
      assertThat(manifest.path("source").path("type").asText()).isEqualTo("cloud-image");
      assertThat(manifest.path("source").path("checksum").asText()).contains(sha256(image));
      assertThat(manifest.path("artifacts")).hasSize(4);
      assertThat(manifest.path("packages").toString()).contains("jq");
      // every non-zero byte of the disk is scanned (zero runs hold no key); allocated or not
      assertThat(manifest.path("privateKeyScan").path("scannedBytes").asLong()).isPositive()
          .isLessThanOrEqualTo(4L << 30);
      assertThat(manifest.path("privateKeyScan").path("findings")).isEmpty();
      // the verify boot: the template as a new CloudStack VM with a ConfigDrive, all checks
      JsonNode verify = manifest.path("verify");
      assertThat(verify.path("passed").asBoolean()).as(verify.toString()).isTrue();
      assertThat(verify.path("checks").findValuesAsText("name")).contains(
          "cloud-init-finished", "datasource",
          "instance-id", "machine-id", "host-keys", "root-filesystem-grown", "ssh-key-reset",
          "no-build-user", "root-password", "cloudstack-datasource",
          "password-and-key-every-boot", "host-keys-kept-on-reboot", "no-failed-units",
          "guest-agent", "firmware",
          "test: jq is installed");
      Fixtures.Result junit = run("xmllint --xpath 'concat(count(//testcase), \" \", "
          + "count(//failure))' " + out.resolve("verify-junit.xml"));
      assertThat(junit.output().strip()).isEqualTo("16 0");

      // the artifact from outside (not from inside the build machine): no build user, its
      // home or sudoers rule; no private-key header in any block, allocated or not; the
      // distribution's update suites and boot loader
      TemplateFromOutside.assertNoBuildUser(raw, "kiln-build", "/etc/kiln-e2e", "built-by-kiln");
      TemplateFromOutside.assertNoPrivateKeyHeader(raw, "built-by-kiln");
      TemplateFromOutside.assertPatchable(raw, "bookworm");
      TemplateFromOutside.assertSbomMatchesThePackageDatabase(raw, out.resolve("sbom.cdx.json"));
      assertThat(manifest.path("sbom").path("format").asText()).isEqualTo("CycloneDX 1.6");
      // the security report (the recipe's default, report) against the disk's package database
      TemplateFromOutside.assertSecurityFindingsMatchTheDisk(raw, manifest.path("security"),
          out.resolve("sbom.cdx.json"));
      TemplateFromOutside.assertHardeningReportMatches(out, manifest.path("hardening"), raw,
          "xccdf_org.ssgproject.content_profile_standard");
      // booting it, taking the security suite's kernel and rebooting: ProvisionAndGeneralize
    } finally {
      http.stop(0);
    }
  }

  @Test
  void isoFlowInstallsFromTheSeedAndReusesTheInstall() throws Exception {
    Fixtures.Result b = Fixtures.run(List.of("bash", Fixtures.repoRoot().resolve(
        "scripts/build-test-installer.sh").toString()), 1800);
    assertThat(b.exit()).as(b.output()).isZero();
    Path installer = Path.of(b.output().strip().lines().reduce((x, y) -> y).orElseThrow());
    Path iso = dir.resolve("installer.iso");
    IsoImageWriter.builder("KILN_TEST_INSTALLER")
        .addFile("vmlinuz", installer.resolve("vmlinuz"))
        .addFile("initrd.gz", installer.resolve("initrd.gz"))
        .addFile("payload.img.gz", installer.resolve("payload.img.gz"))
        .writeTo(iso);
    Recipe recipe = Recipe.builder(new OsSelection("kiln-test-installer", "1"), new IsoSource(
            new RemoteFile(List.of(), Optional.of(iso), Optional.of(new Checksum(
                Checksum.Algorithm.SHA256, sha256(iso))), Optional.empty())))
        .name("e2e-installed").machine(machine())
        // the install and its reuse are this test's subject; the CloudStack integration runs
        // in the cloud-image flow (and costs a minute per build under TCG)
        .guestIntegration(dev.kiln.api.GuestIntegration.NONE)
        .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE))
        .build();
    // the test installer is no OS with cloud-init: there is nothing a verify boot could check
    BuildResult first = build(recipe, "kiln-e2e-iso1").verify(false).build().run();
    assertThat(first.installReused()).isFalse();
    assertThat(first.stageTimes()).containsKey(Stage.INSTALL);
    String console = Files.readString(work.resolve("builds/kiln-e2e-iso1/console-install.log"),
        StandardCharsets.ISO_8859_1);
    String answers = new String(new TestInstallerProfile().plan(recipe).answerFiles()
        .get("kiln-install.cfg"), StandardCharsets.UTF_8);
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(
        answers.replace("users=", "users=kiln-build").getBytes(StandardCharsets.UTF_8)));
    assertThat(console).contains("kiln-test-installer: answers " + md5,
        "kiln-test-installer: installed");
    Fixtures.Result check = run("qemu-img check " + dir.resolve("out-kiln-e2e-iso1/"
        + "e2e-installed.qcow2"));
    assertThat(check.exit()).as(check.output()).isZero();

    BuildResult second = build(recipe, "kiln-e2e-iso2").verify(false).build().run();
    assertThat(second.installReused()).isTrue();
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.Warning w
        && w.code().equals("install.reused") && w.buildId().equals("kiln-e2e-iso2"));
  }

  @Test
  void aWrongChecksumStopsTheBuildBeforeAnyMachine() throws Exception {
    Path image = dir.resolve("tiny.qcow2");
    Files.write(image, new byte[1024]);
    Recipe recipe = Recipe.builder(new OsSelection("debian", "12"), new CloudImageSource(
            new RemoteFile(List.of(), Optional.of(image), Optional.of(new Checksum(
                Checksum.Algorithm.SHA256, "00".repeat(32))), Optional.empty())))
        .name("e2e-bad").machine(machine())
        .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE))
        .build();
    assertThatThrownBy(() -> build(recipe, "kiln-e2e-bad").build().run())
        .isInstanceOfSatisfying(BuildFailedException.class, e -> {
          assertThat(e.stage()).isEqualTo(Stage.SOURCE);
          assertThat(e.getMessage()).contains("checksum mismatch");
        });
    assertThat(events).noneMatch(e -> e instanceof KilnEvent.StageStarted s
        && s.stage() == Stage.CONNECT);
    assertThat(dir.resolve("out-kiln-e2e-bad")).doesNotExist();
  }

  /**
   * The step cache for real: a first build keeps a layer after each of its four steps (a
   * disk-only snapshot of the running machine); a rebuild with the second step edited boots
   * from the first step's layer and runs the second and third again. Judged on the artifacts
   * with debugfs: step 1's random nonce is the first build's (reused, not run again), step 3's
   * is new (run again, though its text did not change), and by qemu-img on the cache's chain.
   */
  @Test
  @Tag("slow") // two whole builds (five minutes under TCG); bench/run-rebuild-bench.sh times
  // the same step cache for real
  void aRebuildBootsFromTheCachedPrefixAndRunsOnlyTheStepsFromTheEditOn() throws Exception {
    Path image = cloudImage();
    Path motd = dir.resolve("motd");
    Files.writeString(motd, "A template built by Kiln.\n");
    java.util.function.Function<String, Recipe> recipe = two -> Recipe.builder(
            new OsSelection("debian", "12"), new CloudImageSource(new RemoteFile(List.of(),
                Optional.of(image), Optional.of(new Checksum(Checksum.Algorithm.SHA256,
                    uncheckedSha256(image))), Optional.empty())))
        .name("e2e-steps").machine(machine())
        .guestIntegration(dev.kiln.api.GuestIntegration.NONE)
        .addProvisionStep(shell("cat /proc/sys/kernel/random/uuid > /etc/kiln-step1"))
        .addProvisionStep(shell("echo " + two + " > /etc/kiln-step2"))
        .addProvisionStep(shell("cat /proc/sys/kernel/random/uuid > /etc/kiln-step3"))
        // into /etc, where the login user of SFTP cannot write: staged, then copied by root
        .addProvisionStep(new ProvisionStep.Upload(motd, "/etc/motd"))
        .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.RAW, Packaging.NONE))
        .build();
    BuildResult first = build(recipe.apply("two"), "kiln-e2e-steps1").verify(false).build()
        .run();
    BuildResult second = build(recipe.apply("TWO"), "kiln-e2e-steps2").verify(false).build()
        .run();
    assertThat(events).filteredOn(KilnEvent.StepsReused.class::isInstance)
        .map(e -> ((KilnEvent.StepsReused) e).buildId() + " " + ((KilnEvent.StepsReused) e)
            .reused()).containsExactly("kiln-e2e-steps1 0", "kiln-e2e-steps2 1");
    Path raw1 = dir.resolve("out-kiln-e2e-steps1/e2e-steps.raw");
    Path raw2 = dir.resolve("out-kiln-e2e-steps2/e2e-steps.raw");
    String nonce1 = TemplateFromOutside.debugfs(raw1, "cat /etc/kiln-step1").strip();
    assertThat(nonce1).matches("[0-9a-f-]{36}");
    assertThat(TemplateFromOutside.debugfs(raw2, "cat /etc/kiln-step1").strip())
        .as("step 1 reused, not run again").isEqualTo(nonce1);
    assertThat(TemplateFromOutside.debugfs(raw1, "cat /etc/kiln-step2").strip()).isEqualTo("two");
    assertThat(TemplateFromOutside.debugfs(raw2, "cat /etc/kiln-step2").strip()).isEqualTo("TWO");
    String step3 = TemplateFromOutside.debugfs(raw1, "cat /etc/kiln-step3").strip();
    assertThat(step3).matches("[0-9a-f-]{36}");
    assertThat(TemplateFromOutside.debugfs(raw2, "cat /etc/kiln-step3").strip())
        .as("step 3 ran again after the edited step 2").isNotEqualTo(step3);
    // the template is still generalized: the rebuild's build user is gone too
    TemplateFromOutside.assertNoBuildUser(raw2, "kiln-build", "/etc/kiln-step2", "TWO");

    // the cache's chain as QEMU reads it: step 3's layer on step 2's on step 1's on the base
    JsonNode keys = new ObjectMapper().readTree(second.manifest().toFile()).path("stepCache")
        .path("keys");
    assertThat(keys).hasSize(4);
    assertThat(TemplateFromOutside.debugfs(raw2, "cat /etc/motd")).isEqualTo(
        "A template built by Kiln.\n");
    Path steps = work.resolve("cache/steps");
    Fixtures.Result chain = run("qemu-img info --backing-chain " + steps.resolve(keys.get(3)
        .asText() + ".qcow2"));
    assertThat(chain.exit()).as(chain.output()).isZero();
    assertThat(chain.output()).contains(keys.get(2).asText() + ".qcow2",
        keys.get(1).asText() + ".qcow2",
        keys.get(0).asText() + ".qcow2").doesNotContain("/machines/");
    for (JsonNode k : keys) {
      Fixtures.Result check = run("qemu-img check " + steps.resolve(k.asText() + ".qcow2"));
      assertThat(check.exit()).as(check.output()).isZero();
    }
    assertThat(first.stageTimes()).containsKey(Stage.PROVISION);

    // what the manifest says the build ran on, against what virsh and git say
    JsonNode host = new ObjectMapper().readTree(second.manifest().toFile()).path("host");
    Fixtures.Result virsh = run("virsh -c qemu:///system version");
    assertThat(virsh.output()).contains("Running hypervisor: QEMU " + host.path("qemu")
        .asText(), "Using library: libvirt " + host.path("libvirt").asText());
    Fixtures.Result head = run("git -C " + Fixtures.repoRoot() + " rev-parse HEAD");
    assertThat(head.output().strip()).startsWith(host.path("kilnCommit").asText()
        .replace("-dirty", ""));
    assertThat(host.path("kilnCommit").asText()).matches("[0-9a-f]{7,40}(-dirty)?");
  }

  static ProvisionStep shell(String command) {
    return new ProvisionStep.Shell(Optional.of(command), Optional.empty(),
        Duration.ofMinutes(2));
  }

  static String uncheckedSha256(Path file) {
    try {
      return sha256(file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // A failing provisioning command (its output, the cleanup after it) is shown through the
  // CLI on a real terminal: TerminalProgressTest.aFailedProvisionAsksWithTheMachineRunning…

  /**
   * The class's real builds (successes and failures, VM and not) recorded in a history, read
   * back by {@code kiln history} and drawn by {@code --plot}; the PNG is checked to be one.
   */
  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
  void theRealBuildsAreInTheHistoryAndItsReport() throws Exception {
    assertThat(FINISHED).as("run with the class: the earlier tests' builds are recorded")
        .isNotEmpty();
    String url = dev.kiln.core.history.BuildHistory.sqliteUrl(work);
    try (var history = dev.kiln.core.history.BuildHistory.open(url)) {
      for (KilnEvent.BuildFinished f : FINISHED) {
        history.record(f.buildId(), f.summary());
      }
    }
    Path png = dir.resolve("history.png");
    CliTest.Run r = CliTest.kiln("history", "--history-db", url, "--plot", png.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    for (KilnEvent.BuildFinished f : FINISHED) {
      var s = f.summary();
      assertThat(r.out()).contains(s.os() + "-" + s.osVersion());
      // a real build's summary: its stages timed, a failure named by its stage
      assertThat(s.elapsed()).isPositive();
      if (s.succeeded()) {
        assertThat(s.artifacts()).isNotEmpty();
        assertThat(s.cpuSeconds()).as("the machines' CPU time").isGreaterThan(10);
        assertThat(s.accelerator()).isEqualTo("tcg");
      } else {
        assertThat(s.failedStage()).isPresent();
      }
    }
    long ok = FINISHED.stream().filter(f -> f.summary().succeeded()).count();
    System.out.println(r.out());
    assertThat(r.out()).contains(FINISHED.size() + " build(s)");
    // read back by the JDK's own PNG decoder, not by the library that drew it
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertThat(image).as("%d successful builds plotted", ok).isNotNull();
    assertThat(image.getWidth()).isEqualTo(1200);
    assertThat(image.getHeight()).isEqualTo(600);
  }
}
