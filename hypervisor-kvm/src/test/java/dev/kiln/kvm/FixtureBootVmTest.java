package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.kvm.internal.DomainDefinition;
import dev.kiln.kvm.internal.LibvirtConnection;
import dev.kiln.kvm.internal.LibvirtConnections;
import dev.kiln.spi.MachineSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Domain;

/**
 * The Debian fixture (scripts/build-debian-fixture.sh, cached) boots under TCG from a domain
 * defined by {@link DomainDefinition}; cloud-init reads a CIDATA seed written by Kiln (its
 * hostname appears at the login prompt) and powers the guest off from runcmd.
 */
@Tag("vm")
class FixtureBootVmTest {
  Path dir;
  LibvirtConnection connection;
  Domain domain;

  @BeforeEach
  void setUp() throws Exception {
    dir = Files.createTempDirectory("kiln-vmtest-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    connection = LibvirtConnections.open(URI.create("qemu:///system"));
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (domain != null && domain.isActive() == 1) {
        domain.destroy();
      }
    } catch (org.libvirt.LibvirtException ignored) {
      // transient domains disappear when they stop
    } finally {
      connection.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static Path fixture() throws Exception {
    Process p = new ProcessBuilder("bash", "../scripts/build-debian-fixture.sh")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(20, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("fixture build").isZero();
    return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void cloudInitReadsKilnsSeedAndPowersOff() throws Exception {
    Path base = fixture();
    Path overlay = dir.resolve("overlay.qcow2");
    Process q = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
        base.toString(), overlay.toString()).inheritIO().start();
    assertThat(q.waitFor()).isZero();
    Path seed = dir.resolve("seed.iso");
    IsoImageWriter.builder("CIDATA")
        .addFile("user-data", ("#cloud-config\nruncmd:\n  - [sh, -c, 'echo KILN-RUNCMD-"
            + "MARKER > /dev/ttyS0']\n  - [poweroff]\n").getBytes(StandardCharsets.UTF_8))
        .addFile("meta-data", "instance-id: i-kiln-vmtest\nlocal-hostname: kiln-vm-test\n"
            .getBytes(StandardCharsets.UTF_8))
        .writeTo(seed);
    MachineSpec spec = MachineSpec.builder("kiln-test-fixture-" + System.nanoTime() % 100000)
        .cpus(2).memoryMiB(1024)
        .addDisk(new MachineSpec.Disk(overlay, "qcow2", false)).addCdrom(seed).build();
    Path console = dir.resolve("console.log");
    domain = connection.connect().domainCreateXML(DomainDefinition.build(spec, Accelerator.TCG,
        Map.of(), console, Instant.now()), 0);
    Instant end = Instant.now().plus(Duration.ofMinutes(6));
    while (Instant.now().isBefore(end) && isActive()) {
      Thread.sleep(1000);
    }
    String out = Files.exists(console)
        ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
    String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
    assertThat(isActive()).as("guest still running after 6 min; console tail:\n" + tail)
        .isFalse();
    assertThat(out).as(tail).contains("Cloud-init v.", "kiln-vm-test login:",
        "reboot: Power down");
  }

  private boolean isActive() {
    try {
      return domain.isActive() == 1;
    } catch (org.libvirt.LibvirtException e) {
      return false;
    }
  }
}
