package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.kvm.internal.KvmMachine;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.MachineState;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Debian fixture as a Kiln machine: qcow2 overlay made by Kiln, a CIDATA seed written by
 * Kiln through which cloud-init installs an SSH key, sshd reached through the 127.0.0.1 forward
 * (with OpenSSH's own client, independent of Kiln), {@code cloud-init status} done, ACPI
 * shutdown observed through libvirt lifecycle events, and nothing left after close.
 */
@Tag("vm")
class KvmMachineVmTest {
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
  void sshThroughTheLoopbackForwardThenAcpiShutdown() throws Exception {
    Path base = Fixtures.debian12();
    Path key = dir.resolve("id_ed25519");
    assertThat(Fixtures.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
        key.toString()), 30).exit()).isZero();
    String publicKey = Files.readString(dir.resolve("id_ed25519.pub")).strip();
    Path seed = dir.resolve("seed.iso");
    IsoImageWriter.builder("CIDATA")
        .addFile("user-data", ("#cloud-config\nusers:\n  - name: kiln\n    shell: /bin/bash\n"
            + "    sudo: ALL=(ALL) NOPASSWD:ALL\n    ssh_authorized_keys:\n      - " + publicKey
            + "\n").getBytes(StandardCharsets.UTF_8))
        .addFile("meta-data", "instance-id: i-kiln-ssh\nlocal-hostname: kiln-ssh\n"
            .getBytes(StandardCharsets.UTF_8))
        .writeTo(seed);
    List<KilnEvent> events = new CopyOnWriteArrayList<>();
    EventHandlers handlers = EventHandlers.builder().addAll(events::add).build();
    String name = "kiln-vmtest-ssh-" + Long.toHexString(System.nanoTime() & 0xffffff);
    MachineSpec spec = MachineSpec.builder(name).cpus(2).memoryMiB(1024)
        .accelerator(Accelerator.TCG).addDisk(MachineSpec.Disk.overlayOn(base, "raw"))
        .addCdrom(seed).forwardGuestPort(22).label("build", "b-ssh")
        .consoleLog(dir.resolve("build-console.log")).build();
    Path machineDir;
    try (KvmHypervisor kvm = KvmHypervisor.builder().workRoot(root).build();
        KvmMachine machine = (KvmMachine) kvm.create(spec, handlers)) {
      machineDir = machine.directory();
      assertThat(machine.state()).isEqualTo(MachineState.DEFINED);
      machine.start();
      assertThat(machine.state()).isEqualTo(MachineState.RUNNING);
      InetSocketAddress ssh = machine.forwardedPort(22).orElseThrow();
      assertThat(ssh.getHostString()).isEqualTo("127.0.0.1");
      Fixtures.Result status = awaitSsh(machine, key, ssh.getPort(),
          "cloud-init status --wait; hostname", Duration.ofMinutes(8));
      assertThat(status.output()).as(machine.diagnostics()).contains("status: done")
          .contains("kiln-ssh");

      Instant asked = Instant.now();
      machine.shutdown(Duration.ofMinutes(3));
      assertThat(machine.state()).isEqualTo(MachineState.SHUT_OFF);
      assertThat(events).as("ACPI shutdown worked without forcing")
          .noneMatch(e -> e instanceof KilnEvent.Warning w && w.code().equals("machine.forced-off"));
      assertThat(Duration.between(asked, Instant.now())).isLessThan(Duration.ofMinutes(3));
      assertThat(machine.awaitPowerOff(Duration.ofSeconds(1))).isTrue();
      machine.close(); // idempotent: the try-with-resources closes it again
    }
    List<String> lines = events.stream().filter(KilnEvent.ConsoleLine.class::isInstance)
        .map(e -> ((KilnEvent.ConsoleLine) e).line()).toList();
    assertThat(lines).anyMatch(l -> l.contains("kiln-ssh login:"));
    assertThat(events).allMatch(e -> e.buildId().equals("b-ssh"));
    assertThat(Files.readString(dir.resolve("build-console.log"), StandardCharsets.ISO_8859_1))
        .contains("reboot: Power down");
    assertThat(machineDir).doesNotExist();
    assertThat(Fixtures.run(List.of("virsh", "-c", "qemu:///system", "list", "--all",
        "--name"), 30).output()).doesNotContain(name);
  }

  /** Retries ssh until it runs {@code command} or the deadline passes. */
  static Fixtures.Result awaitSsh(KvmMachine machine, Path key, int port, String command,
      Duration deadline) throws Exception {
    Instant end = Instant.now().plus(deadline);
    Fixtures.Result last = null;
    while (Instant.now().isBefore(end)) {
      last = Fixtures.run(List.of("ssh", "-i", key.toString(), "-p", Integer.toString(port),
          "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o",
          "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
          "kiln@127.0.0.1", command), 600);
      if (last.exit() == 0) {
        return last;
      }
      assertThat(machine.state()).as(machine.diagnostics()).isEqualTo(MachineState.RUNNING);
      Thread.sleep(3000);
    }
    throw new AssertionError("no SSH within " + deadline.toMinutes() + " min; last: " + last
        + "\n" + machine.diagnostics());
  }
}
