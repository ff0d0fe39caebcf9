package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.kvm.internal.DomainDefinition;
import dev.kiln.spi.MachineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Debian fixture (scripts/build-debian-fixture.sh, cached) boots under TCG from a domain
 * defined by {@link DomainDefinition}; cloud-init reads a CIDATA seed written by Kiln (its
 * hostname appears at the login prompt) and powers the guest off from runcmd.
 */
// slow: KvmMachineVmTest boots the same fixture through Kiln's own overlay and seed and checks
// more (SSH, cloud-init status, ACPI shutdown); this smoke boot (150 s here) runs with the
// slow tests
@Tag("vm")
@Tag("slow")
class FixtureBootVmTest extends VmTestSupport {
  @Test
  void cloudInitReadsKilnsSeedAndPowersOff() throws Exception {
    Path base = Fixtures.debian12();
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
    start(DomainDefinition.build(spec, Accelerator.TCG, Map.of(), console, Instant.now()));
    String out = awaitConsole(Duration.ofMinutes(6), text -> false); // until it powers off
    assertThat(isActive()).as("guest still running after 6 min; console tail:\n" + tail(out))
        .isFalse();
    assertThat(out).as(tail(out)).contains("Cloud-init v.", "kiln-vm-test login:",
        "reboot: Power down");
  }

}
