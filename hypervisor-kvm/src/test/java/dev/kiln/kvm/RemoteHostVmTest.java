package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.testing.LoopbackSshd;
import dev.kiln.formats.initrd.InitrdInjector;
import dev.kiln.kvm.internal.KvmMachine;
import dev.kiln.spi.MachineSpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A machine on a "remote" libvirt host: this host's libvirtd reached as
 * {@code qemu+ssh://root@127.0.0.1:PORT/system} through a real sshd on loopback. Kernel,
 * initrd (with a preseed injected) and a data disk go up as storage-volume upload streams into
 * a pool on the remote side; the console comes back through volume download streams (the
 * preseed marker proves it); the disk comes back byte-identical; closing removes the pool.
 */
@Tag("vm")
class RemoteHostVmTest {
  Path root;
  Path dir;
  Path remoteRoot;

  @BeforeEach
  void dirs() throws Exception {
    root = Fixtures.reachableTempDir("kiln-vmtest-root-");
    dir = Fixtures.reachableTempDir("kiln-vmtest-");
    remoteRoot = Fixtures.reachableTempDir("kiln-vmtest-remote-");
  }

  @AfterEach
  void cleanup() throws Exception {
    Fixtures.deleteTree(dir);
    Fixtures.deleteTree(root);
    Fixtures.deleteTree(remoteRoot);
  }

  @Test
  void filesTravelThroughVolumeStreamsOverQemuSsh() throws Exception {
    Path kernel = InstallerKernelBootVmTest.DI.resolve("linux");
    Path initrd = dir.resolve("initrd-kiln.gz");
    InitrdInjector.inject(InstallerKernelBootVmTest.DI.resolve("initrd.gz"), Map.of(
        "preseed.cfg", "d-i preseed/early_command string echo KILN-REMOTE-$((40+2)) > /dev/ttyS0\n"
            .getBytes(StandardCharsets.UTF_8)), initrd);
    Path data = dir.resolve("data.raw");
    byte[] content = new byte[3 << 20];
    new Random(11).nextBytes(content);
    Files.write(data, content);

    CountDownLatch marker = new CountDownLatch(1);
    EventHandlers events = EventHandlers.builder().add(KilnEvent.ConsoleLine.class, l -> {
      if (l.line().contains("KILN-REMOTE-42")) {
        marker.countDown();
      }
    }).build();
    String name = "kiln-vmtest-remote-" + Long.toHexString(System.nanoTime() & 0xffffff);
    MachineSpec spec = MachineSpec.builder(name).cpus(1).memoryMiB(1024)
        .accelerator(Accelerator.TCG).addDisk(new MachineSpec.Disk(data, "raw", false))
        .kernelBoot(new MachineSpec.KernelBoot(kernel, initrd, "auto=true priority=critical "
            + "console=ttyS0,115200n8 --- console=ttyS0,115200n8"))
        .label("build", "b-remote").build();
    try (LoopbackSshd sshd = LoopbackSshd.start();
        KvmHypervisor kvm = KvmHypervisor.builder().uri(URI.create(sshd.libvirtUri()))
            .workRoot(root).remoteWorkRoot(remoteRoot).build()) {
      Path hostDir;
      try (KvmMachine machine = (KvmMachine) kvm.create(spec, events)) {
        hostDir = machine.directory();
        assertThat(hostDir).startsWith(remoteRoot);
        // uploaded, not used in place: the domain points into the remote pool
        assertThat(machine.attachedDisks().get(0).file()).startsWith(hostDir);
        assertThat(Files.mismatch(machine.attachedDisks().get(0).file(), data)).isEqualTo(-1);
        assertThat(hostDir.resolve("kernel")).hasSameBinaryContentAs(kernel);
        machine.start();
        assertThat(machine.domainXml()).contains(hostDir.resolve("initrd").toString());
        assertThat(marker.await(5, TimeUnit.MINUTES))
            .as("marker not seen through the remote console; " + machine.diagnostics()).isTrue();
        machine.destroy();
        Path back = dir.resolve("fetched.raw");
        machine.fetchDisk(0, back);
        assertThat(Files.mismatch(back, data)).isEqualTo(-1);
      }
      assertThat(hostDir).doesNotExist();
      assertThat(Fixtures.run(List.of("virsh", "-c", "qemu:///system", "pool-list", "--all",
          "--name"), 30).output()).doesNotContain("kiln-" + name);
      assertThat(Fixtures.run(List.of("virsh", "-c", "qemu:///system", "list", "--all",
          "--name"), 30).output()).doesNotContain(name);
    }
  }
}
