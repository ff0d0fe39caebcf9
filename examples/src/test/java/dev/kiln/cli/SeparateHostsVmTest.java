package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.kvm.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A matrix over two libvirt hosts that really are separate ({@link NamespaceLab}): each its own
 * libvirtd, state and sshd in its own namespaces, and {@code kiln build --matrix} running in a
 * third namespace that reaches them only through their sshd. Two builds start, one per host;
 * once the build on host 2 has connected to its guest, host 2's libvirtd and sshd are killed;
 * Kiln finds the host gone and builds that entry again on host 1, which already holds the
 * cloud image in its media cache (the cached volume is the same file, untouched: no second
 * upload). Both templates pass {@code qemu-img check} and booted to SSH (the verify stage).
 */
@Tag("vm")
class SeparateHostsVmTest {
  Path dir;

  @BeforeEach
  void dirs() throws Exception {
    dir = Fixtures.reachableTempDir("kiln-hosts-");
  }

  @AfterEach
  void cleanup() throws Exception {
    new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
  }

  @Test
  void aHostLostMidBuildIsLeftAndTheRetryReusesTheOtherHostsMediaCache() throws Exception {
    Path image = dir.resolve("debian-12.qcow2");
    ImageConverter.convert(Fixtures.debian12(), image, ConversionTarget.of(
        dev.kiln.formats.ImageFormat.QCOW2, dev.kiln.formats.pack.Packaging.NONE), 2, n -> { });
    String sha = BuildPipelineVmTest.sha256(image);
    Files.writeString(dir.resolve("recipe.yaml"), String.join("\n",
        "name: hosts", "os: {id: debian, version: \"12\"}", "source:", "  cloudImage:",
        "    path: " + image, "    checksum: sha256:" + sha,
        "machine: {cpus: 1, memory: 1G, accelerator: tcg, diskSize: 3G}",
        "outputs:", "  - {hypervisor: kvm, format: qcow2}", ""));
    try (NamespaceLab lab = NamespaceLab.start(2)) {
      Files.writeString(dir.resolve("matrix.yaml"), String.join("\n", "parallel: 2", "hosts:",
          "  - {name: a, uri: \"" + lab.libvirtUri(1) + "\", capacity: 1}",
          "  - {name: b, uri: \"" + lab.libvirtUri(2) + "\", capacity: 1}", "builds:",
          "  - {recipe: recipe.yaml, id: m1}", "  - {recipe: recipe.yaml, id: m2}", ""));
      // the client's world: its own empty loopback, the two veth links, no default route
      assertThat(lab.inClient("ip route").output()).doesNotContain("default");
      assertThat(lab.inClient("nc -z -w 3 " + NamespaceLab.address(1) + " 22").exit()).isZero();

      Path work = dir.resolve("work");
      Path log = dir.resolve("kiln.log");
      // every entry's provenance is signed with the one key the command was given
      Path key = dir.resolve("signing.pem");
      Path pub = dir.resolve("signing.pub.pem");
      assertThat(Fixtures.run(List.of("bash", "-c", "openssl genpkey -algorithm ed25519 -out "
          + key + " && openssl pkey -in " + key + " -pubout -out " + pub), 60).exit()).isZero();
      Process kiln = lab.startInClient(List.of(Path.of(System.getProperty("java.home"), "bin",
          "java").toString(), "-cp", System.getProperty("java.class.path"),
          KilnCli.class.getName(), "build", "--matrix", dir.resolve("matrix.yaml").toString(),
          "--out", dir.resolve("out").toString(), "--work-root", work.toString(),
          "--sign-key", key.toString()), log);
      Path cached = lab.kilnDir(1).resolve("cache").resolve(sha + ".img");
      Optional<BasicFileAttributes> uploaded = Optional.empty();
      String lostEntry = null;
      Instant end = Instant.now().plus(Duration.ofMinutes(75));
      try {
        while (kiln.isAlive() && Instant.now().isBefore(end)) {
          if (lostEntry == null) {
            Optional<Path> onB = buildLogs(work, "-b").stream().filter(p -> read(p)
                .contains("[connect] done")).findFirst();
            if (onB.isPresent()) {
              lostEntry = onB.get().getParent().getFileName().toString().replace("-b", "");
              listenersOnlyOnLoopbackAndTheVeth(lab);
              lab.stopDaemons(2);
            }
          }
          if (uploaded.isEmpty() && buildLogs(work, "-a").stream().anyMatch(p -> read(p)
              .contains("uploaded to the media cache"))) {
            uploaded = Optional.of(Files.readAttributes(cached, BasicFileAttributes.class));
          }
          Thread.sleep(1000);
        }
      } finally {
        if (kiln.isAlive()) {
          kiln.destroy();
          kiln.waitFor(60, TimeUnit.SECONDS);
        }
      }
      String output = read(log);
      assertThat(kiln.exitValue()).as(output).isZero();
      assertThat(lostEntry).as("no build connected on host b; " + output).isNotNull();
      assertThat(output).contains("host b failed");
      // the lost entry went to host a, whose cache already held the image: reused, not sent
      String retried = read(work.resolve("builds").resolve(lostEntry + "-a/build.log"));
      assertThat(retried).contains("reused from the media cache");
      assertThat(retried).doesNotContain("uploaded to the media cache");
      assertThat(uploaded).as("host a's first build uploaded the image").isPresent();
      BasicFileAttributes now = Files.readAttributes(cached, BasicFileAttributes.class);
      assertThat(now.fileKey()).isEqualTo(uploaded.get().fileKey());
      assertThat(now.lastModifiedTime()).isEqualTo(uploaded.get().lastModifiedTime());
      assertThat(BuildPipelineVmTest.sha256(cached)).isEqualTo(sha);
      String manifest = Files.readString(dir.resolve("out/matrix-manifest.json"));
      assertThat(manifest).contains("\"b\", \"a\"");
      for (String entry : List.of("m1", "m2")) {
        Path template = dir.resolve("out").resolve(entry).resolve("hosts.qcow2");
        Fixtures.Result check = Fixtures.run(List.of("qemu-img", "check", template.toString()),
            120);
        assertThat(check.exit()).as(check.output()).isZero();
        // the verify stage booted the exported template and ran its checks over SSH
        com.fasterxml.jackson.databind.JsonNode verify = new com.fasterxml.jackson.databind
            .ObjectMapper().readTree(dir.resolve("out").resolve(entry).resolve("manifest.json")
            .toFile()).path("verify");
        assertThat(verify.path("passed").asBoolean()).as(verify.toString()).isTrue();
        CliTest.Run signed = CliTest.kiln("verify", template.toString(), "--provenance",
            dir.resolve("out").resolve(entry).resolve("provenance.intoto.jsonl").toString(),
            "--public-key", pub.toString());
        assertThat(signed.exit()).as(signed.out() + signed.err()).isZero();
      }
    }
    assertThat(Fixtures.run(List.of("ip", "netns", "list"), 30).output())
        .doesNotContain(NamespaceLab.PREFIX + ProcessHandle.current().pid());
  }

  /**
   * While the build on host b runs: host b listens on its veth address (sshd) and its own
   * loopback (QEMU's forward of the guest's SSH port) only, and that forward cannot be reached
   * from the client's namespace except through SSH.
   */
  private static void listenersOnlyOnLoopbackAndTheVeth(NamespaceLab lab) throws Exception {
    Fixtures.Result ss = Fixtures.run(List.of("ip", "netns", "exec", lab.hosts.get(1), "ss",
        "-ltnH"), 30);
    List<String> qemuPorts = new ArrayList<>();
    for (String line : ss.output().lines().toList()) {
      String local = line.trim().split("\\s+")[3];
      assertThat(local).as(ss.output()).matches("(127\\.0\\.0\\.1|"
          + NamespaceLab.address(2).replace(".", "\\.") + "):\\d+");
      if (local.startsWith("127.0.0.1:")) {
        qemuPorts.add(local.substring(local.indexOf(':') + 1));
      }
    }
    assertThat(qemuPorts).as(ss.output()).isNotEmpty();
    for (String port : qemuPorts) {
      assertThat(lab.inClient("nc -z -w 3 " + NamespaceLab.address(2) + " " + port).exit())
          .as("host b's loopback port " + port + " reachable from the client").isNotZero();
    }
    Fixtures.Result clientSs = lab.inClient("ss -ltnH");
    for (String line : clientSs.output().lines().toList()) {
      // Java's sockets show as IPv4-mapped IPv6: still 127.0.0.1
      assertThat(line.trim().split("\\s+")[3]).as(clientSs.output())
          .matches("(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]):\\d+");
    }
  }

  private static List<Path> buildLogs(Path work, String hostSuffix) throws Exception {
    Path builds = work.resolve("builds");
    if (!Files.isDirectory(builds)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(builds)) {
      return s.filter(p -> p.getFileName().toString().endsWith(hostSuffix))
          .map(p -> p.resolve("build.log")).filter(Files::exists).toList();
    }
  }

  private static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
