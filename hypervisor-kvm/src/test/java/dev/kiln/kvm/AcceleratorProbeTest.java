package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the probe for real through libvirt and compares the verdict with QEMU run directly
 * (outside libvirt and outside Kiln) on the same boot sector.
 */
@Tag("libvirt")
class AcceleratorProbeTest {
  private static final URI SYSTEM = URI.create("qemu:///system");

  @TempDir
  Path tmp;

  @Test
  void tcgRunsTheProbe() throws Exception {
    AcceleratorProbe.Result r = AcceleratorProbe.probe(SYSTEM, Accelerator.TCG,
        AcceleratorProbe.DEFAULT_DEADLINE);
    assertThat(r.usable()).as(r.reason()).isTrue();
    assertThat(r.reason()).startsWith("ran the probe guest in ");
    assertNoProbeDomainLeft();
  }

  @Test
  void kvmVerdictAgreesWithQemuRunDirectly() throws Exception {
    AcceleratorProbe.Result r = AcceleratorProbe.probe(SYSTEM, Accelerator.KVM,
        Duration.ofSeconds(15));
    boolean direct = qemuFinishesProbe("kvm", "host", Duration.ofSeconds(15));
    assertThat(r.usable()).as("Kiln said: %s; direct QEMU finished: %s", r.reason(), direct)
        .isEqualTo(direct);
    if (!r.usable()) {
      assertThat(r.reason()).isNotBlank();
    }
    assertNoProbeDomainLeft();
  }

  @Test
  void probeOnceProbesAHostOnlyOnce() throws Exception {
    AcceleratorProbe.Result first = AcceleratorProbe.probeOnce(SYSTEM, Accelerator.TCG,
        AcceleratorProbe.DEFAULT_DEADLINE);
    AcceleratorProbe.Result again = AcceleratorProbe.probeOnce(SYSTEM, Accelerator.TCG,
        AcceleratorProbe.DEFAULT_DEADLINE);
    assertThat(again).isSameAs(first); // the first verdict, not a second boot
    assertThat(first.usable()).as(first.reason()).isTrue();
    assertNoProbeDomainLeft();
  }

  /** Runs qemu-system-x86_64 on the probe sector and reports whether it printed "done". */
  private boolean qemuFinishesProbe(String accel, String cpu, Duration deadline)
      throws IOException, InterruptedException {
    Path disk = tmp.resolve("probe-" + accel + ".img");
    try (InputStream in = getClass().getResourceAsStream("internal/accel-probe.bin")) {
      byte[] image = new byte[1 << 20];
      byte[] sector = in.readAllBytes();
      System.arraycopy(sector, 0, image, 0, sector.length);
      Files.write(disk, image);
    }
    Path out = tmp.resolve("serial-" + accel + ".txt");
    Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", accel, "-cpu", cpu,
        "-m", "256", "-display", "none", "-no-reboot", "-serial", "file:" + out,
        "-drive", "file=" + disk + ",format=raw,if=ide")
        .redirectErrorStream(true).redirectOutput(tmp.resolve("qemu-" + accel + ".log").toFile())
        .start();
    try {
      long end = System.nanoTime() + deadline.toNanos();
      while (System.nanoTime() < end && qemu.isAlive()) {
        if (Files.exists(out)
            && Files.readString(out, StandardCharsets.ISO_8859_1).contains("KILN-PROBE done")) {
          return true;
        }
        Thread.sleep(100);
      }
      return Files.exists(out)
          && Files.readString(out, StandardCharsets.ISO_8859_1).contains("KILN-PROBE done");
    } finally {
      qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  static void assertNoProbeDomainLeft() throws Exception {
    Process virsh = new ProcessBuilder("virsh", "-c", "qemu:///system", "list", "--all",
        "--name").redirectErrorStream(true).start();
    String names = new String(virsh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    virsh.waitFor(30, TimeUnit.SECONDS);
    assertThat(names).doesNotContain("kiln-probe-");
  }
}
