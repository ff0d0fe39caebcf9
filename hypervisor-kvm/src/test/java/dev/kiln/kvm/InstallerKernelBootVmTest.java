package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.formats.initrd.InitrdInjector;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.kvm.internal.KvmMachine;
import dev.kiln.spi.MachineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Debian's installer booted the way Kiln installs an OS: kernel and initrd read out of a
 * netinst-style ISO by Kiln's ISO reader, a preseed injected into the initrd by Kiln, direct
 * kernel boot with Kiln's arguments. The preseed's {@code early_command} computes a marker in
 * the guest's shell and writes it to the serial port: seeing it proves d-i read Kiln's preseed.
 * The machine asks for {@code accelerator: auto}; on a host whose KVM cannot run guests it must
 * end up on TCG with a warning.
 */
@Tag("vm")
class InstallerKernelBootVmTest {
  static final Path DI = Path.of("/usr/lib/debian-installer/images/12/amd64/text/"
      + "debian-installer/amd64");
  Path root;
  Path dir;

  @BeforeEach
  void dirs() throws Exception {
    root = Fixtures.reachableTempDir("kiln-vmtest-root-");
    dir = Fixtures.reachableTempDir("kiln-vmtest-");
  }

  @AfterEach
  void cleanup() throws Exception {
    Fixtures.deleteTree(dir);
    Fixtures.deleteTree(root);
  }

  @Test
  void directKernelBootReadsTheInjectedPreseed() throws Exception {
    Path iso = dir.resolve("netinst.iso");
    IsoImageWriter.builder("Debian_12_amd64_n")
        .addFile("install.amd/vmlinuz", DI.resolve("linux"))
        .addFile("install.amd/initrd.gz", DI.resolve("initrd.gz"))
        .writeTo(iso);
    Path kernel = dir.resolve("vmlinuz");
    Path initrd = dir.resolve("initrd.gz");
    try (IsoReader reader = IsoReader.open(iso)) {
      reader.extract("install.amd/vmlinuz", kernel);
      reader.extract("install.amd/initrd.gz", initrd);
    }
    // $((40+2)) is expanded by the guest's shell: the literal text never reaches the console
    String preseed = "d-i debian-installer/locale string en_US.UTF-8\n"
        + "d-i keyboard-configuration/xkb-keymap select us\n"
        + "d-i preseed/early_command string echo KILN-EARLY-$((40+2)) > /dev/ttyS0\n";
    Path injected = dir.resolve("initrd-kiln.gz");
    InitrdInjector.inject(initrd, Map.of("preseed.cfg",
        preseed.getBytes(StandardCharsets.UTF_8)), injected);

    List<KilnEvent> events = new CopyOnWriteArrayList<>();
    CountDownLatch marker = new CountDownLatch(1);
    EventHandlers handlers = EventHandlers.builder().addAll(events::add)
        .add(KilnEvent.ConsoleLine.class, l -> {
          if (l.line().contains("KILN-EARLY-42")) {
            marker.countDown();
          }
        }).build();
    String name = "kiln-vmtest-di-" + Long.toHexString(System.nanoTime() & 0xffffff);
    MachineSpec spec = MachineSpec.builder(name).cpus(1).memoryMiB(1024)
        .accelerator(Accelerator.AUTO).addCdrom(iso)
        .kernelBoot(new MachineSpec.KernelBoot(kernel, injected, "auto=true priority=critical "
            + "DEBIAN_FRONTEND=text netcfg/get_nameservers=10.0.2.3 console=ttyS0,115200n8 "
            + "--- console=ttyS0,115200n8"))
        .label("build", "b-di").build();
    try (KvmHypervisor kvm = KvmHypervisor.builder().workRoot(root).build();
        KvmMachine machine = (KvmMachine) kvm.create(spec, handlers)) {
      machine.start();
      boolean seen = marker.await(5, TimeUnit.MINUTES);
      assertThat(seen).as("preseed marker not on the console; " + machine.diagnostics())
          .isTrue();
      assertThat(machine.accelerator()).isEqualTo(
          kvmUsable() ? Accelerator.KVM : Accelerator.TCG);
      if (machine.accelerator() == Accelerator.TCG) {
        assertThat(events).anyMatch(e -> e instanceof KilnEvent.Warning w
            && w.code().equals("accel.fallback") && w.message().contains("KVM"));
      }
      assertThat(machine.consoleTail(500)).anyMatch(l -> l.contains("Linux version"));
      machine.destroy();
    }
  }

  /** What the probe says of KVM on this host (it cannot run guests on the CI machines). */
  static boolean kvmUsable() throws Exception {
    return AcceleratorProbe.probe(java.net.URI.create("qemu:///system"), Accelerator.KVM,
        AcceleratorProbe.DEFAULT_DEADLINE).usable();
  }
}
