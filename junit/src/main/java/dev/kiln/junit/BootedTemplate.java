package dev.kiln.junit;

import dev.kiln.api.Accelerator;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.core.internal.ssh.SshCommunicator;
import dev.kiln.core.internal.ssh.SshEndpoint;
import dev.kiln.core.internal.verify.ConfigDrive;
import dev.kiln.core.internal.verify.ReachableImage;
import dev.kiln.formats.DiskImage;
import dev.kiln.formats.registry.FormatRegistry;
import dev.kiln.kvm.KvmHypervisor;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One booted template and everything it holds — scratch directory, hypervisor connection,
 * machine, SSH connection — released newest first by {@link #close()}, which also runs from a
 * shutdown hook if the JVM is stopped first (Ctrl-C during a test run).
 */
final class BootedTemplate implements TemplateMachine, AutoCloseable {
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final Thread hook = new Thread(this::closeQuietly, "kiln-junit-reaper");
  private final String instanceId;
  private final String publicKey;
  private Machine machine;
  private Communicator ssh;
  private InetSocketAddress address;
  private boolean closed;

  private BootedTemplate(String instanceId, String publicKey) {
    this.instanceId = instanceId;
    this.publicKey = publicKey;
  }

  static BootedTemplate boot(KilnTemplate settings, Path template, String testClass)
      throws Exception {
    String id = UUID.randomUUID().toString();
    BuildKey key = BuildKey.generate("kiln-junit");
    BootedTemplate b = new BootedTemplate("kiln-junit-" + id, key.publicKey());
    Runtime.getRuntime().addShutdownHook(b.hook);
    try {
      b.start(settings, template, testClass, key);
      return b;
    } catch (Exception | Error e) {
      if (b.machine != null) {
        e.addSuppressed(new ConsoleTail(b.machine.name(), b.consoleTail(40)));
      }
      b.close();
      throw e;
    }
  }

  private void start(KilnTemplate s, Path template, String testClass, BuildKey key)
      throws Exception {
    // QEMU runs as another user: the scratch directory must be reachable (not under a
    // private home) and the template is linked (or copied) into it
    Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-junit-");
    opened.add(() -> deleteTree(dir));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    String format = template.getFileName().toString().endsWith(".raw") ? "raw" : "qcow2";
    Path base = ReachableImage.place(template, dir.resolve("template." + format));
    long size;
    try (DiskImage d = FormatRegistry.standard().open(base)) {
      size = d.virtualSize();
    }
    Path drive = dir.resolve("configdrive.iso");
    new ConfigDrive(instanceId, "kiln-test", key.publicKey(), Optional.of(String.join("\n",
        "#cloud-config", "users:", "  - default", "  - name: " + s.user(),
        "    shell: /bin/bash", "    sudo: ALL=(ALL) NOPASSWD:ALL",
        "    ssh_authorized_keys: [\"" + key.publicKey() + "\"]", "")), Optional.empty())
        .writeTo(drive);
    KvmHypervisor kvm = KvmHypervisor.builder().build();
    opened.add(kvm);
    String name = "kiln-junit-" + instanceId.substring("kiln-junit-".length(), 19);
    machine = kvm.create(MachineSpec.builder(name).cpus(s.cpus()).memoryMiB(s.memoryMiB())
        .accelerator(Accelerator.valueOf(s.accelerator().toUpperCase(Locale.ROOT)))
        .addDisk(MachineSpec.Disk.overlayOn(base, format, size + (s.growMiB() << 20)))
        .addCdrom(drive).forwardGuestPort(22).label("kiln-junit", testClass)
        .consoleLog(dir.resolve("console.log")).build(), EventHandlers.NONE);
    opened.add(machine);
    machine.start();
    address = machine.forwardedPort(22).orElseThrow(() -> new IllegalStateException(
        machine.name() + " gives no address for SSH"));
    ssh = SshCommunicator.connect(new SshEndpoint(address.getHostString(), address.getPort(),
        s.user(), key), Duration.ofMinutes(s.bootMinutes()), Optional.of(machine),
        EventHandlers.NONE, name);
    opened.add(ssh);
    // the wait strategy: SSH answers before cloud-init's last stage has run
    ssh.exec(new dev.kiln.spi.Communicator.ExecRequest("timeout 900 cloud-init status --wait "
        + ">/dev/null 2>&1; true", Duration.ofMinutes(16), java.util.Map.of(), false, false));
  }

  @Override
  public Communicator ssh() {
    return ssh;
  }

  @Override
  public InetSocketAddress sshAddress() {
    return address;
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  @Override
  public String publicKey() {
    return publicKey;
  }

  @Override
  public List<String> consoleTail(int lines) {
    return machine == null ? List.of() : machine.consoleTail(lines);
  }

  /** The machine's name in libvirt (for diagnostics and for tests of the reaping). */
  String machineName() {
    return machine == null ? "" : machine.name();
  }

  @Override
  public synchronized void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // we are the hook
    }
    Exception first = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("kiln-junit: cleaning up " + machineName() + ": " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The console's last lines, attached to a failure as a suppressed exception. */
  static final class ConsoleTail extends Exception {
    private static final long serialVersionUID = 1L;

    ConsoleTail(String machine, List<String> lines) {
      super("console of " + machine + " (last " + lines.size() + " lines):\n"
          + String.join("\n", lines), null, false, false);
    }
  }
}
