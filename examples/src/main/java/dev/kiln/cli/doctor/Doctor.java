package dev.kiln.cli.doctor;

import dev.kiln.api.Accelerator;
import dev.kiln.api.MachineException;
import dev.kiln.kvm.AcceleratorProbe;
import dev.kiln.kvm.HostReport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checks a host for Kiln: libvirt, QEMU, whether KVM really runs a guest (by booting a probe,
 * not by looking for {@code /dev/kvm}), TCG, free disk space, and the validators the tests use.
 */
public final class Doctor {
  /** Below this, a build of a typical template (installer + disk + artifacts) may not fit. */
  static final long DISK_WARN_BYTES = 20L << 30;
  static final long DISK_FAIL_BYTES = 5L << 30;

  /** Tools Kiln's test suite judges outputs with, and the Debian package of each. */
  static final Map<String, String> TEST_TOOLS = new LinkedHashMap<>();

  static {
    TEST_TOOLS.put("qemu-img", "qemu-utils");
    TEST_TOOLS.put("7zz", "7zip");
    TEST_TOOLS.put("isoinfo", "genisoimage");
    TEST_TOOLS.put("xorriso", "xorriso");
    TEST_TOOLS.put("xmllint", "libxml2-utils");
    TEST_TOOLS.put("virt-xml-validate", "libvirt-clients");
    TEST_TOOLS.put("nasm", "nasm");
  }

  private final URI libvirtUri;
  private final Path workDir;
  private final Duration probeDeadline;

  public Doctor(URI libvirtUri, Path workDir, Duration probeDeadline) {
    this.libvirtUri = libvirtUri;
    this.workDir = workDir;
    this.probeDeadline = probeDeadline;
  }

  /** Runs every check, handing each to {@code sink} as soon as it is known. */
  public List<Check> run(Consumer<Check> sink) throws InterruptedException {
    List<Check> all = new ArrayList<>();
    Consumer<Check> emit = c -> {
      all.add(c);
      sink.accept(c);
    };
    emit.accept(Check.ok("java", "Java " + Runtime.version().feature() + " ("
        + Runtime.version() + ")"));
    HostReport host = null;
    try {
      host = HostReport.read(libvirtUri);
      emit.accept(Check.ok("libvirt", libvirtUri + " on " + host.hostName() + ": libvirt "
          + host.libvirtVersion() + ", QEMU " + host.hypervisorVersion()));
    } catch (MachineException e) {
      emit.accept(Check.fail("libvirt", e.getMessage(),
          "run scripts/host-setup.sh (installs libvirt-daemon-system and qemu-system-x86, "
              + "starts virtlogd -d and libvirtd -d)"));
    }
    if (host != null) {
      checkQemu(host, emit);
      boolean local = libvirtUri.getHost() == null || libvirtUri.getHost().isEmpty();
      if (local) {
        checkDevKvm(emit);
      }
      boolean kvm = checkKvm(host, emit);
      boolean tcg = checkTcg(emit);
      if (kvm) {
        emit.accept(Check.info("accelerator", "builds with 'accelerator: auto' use KVM"));
      } else if (tcg) {
        emit.accept(Check.info("accelerator", "builds with 'accelerator: auto' use TCG "
            + "(software emulation: expect installs to take several times longer)"));
      }
    }
    checkDisk(emit);
    checkTools(emit);
    return all;
  }

  private void checkQemu(HostReport host, Consumer<Check> emit) {
    if (host.emulators().isEmpty()) {
      emit.accept(Check.fail("qemu", "libvirt offers no x86_64 emulator",
          "apt-get install qemu-system-x86, then restart libvirtd"));
    } else {
      emit.accept(Check.ok("qemu", String.join(", ", host.emulators())));
    }
  }

  private void checkDevKvm(Consumer<Check> emit) {
    Path dev = Path.of("/dev/kvm");
    if (!Files.exists(dev)) {
      emit.accept(Check.warn("/dev/kvm", "absent: no hardware virtualisation on this host",
          "enable VT-x/AMD-V in the firmware (or nested virtualisation on a VM) and load the "
              + "kvm_intel or kvm_amd module"));
      return;
    }
    try {
      PosixFileAttributes a = Files.readAttributes(dev, PosixFileAttributes.class);
      boolean groupRw = a.permissions().contains(PosixFilePermission.GROUP_READ)
          && a.permissions().contains(PosixFilePermission.GROUP_WRITE);
      boolean otherRw = a.permissions().contains(PosixFilePermission.OTHERS_READ)
          && a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
      if (otherRw || (groupRw && a.group().getName().equals("kvm"))) {
        emit.accept(Check.ok("/dev/kvm", "present, group " + a.group().getName() + " "
            + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions())));
      } else {
        emit.accept(Check.warn("/dev/kvm", "present but only " + a.owner().getName()
            + " may open it, so QEMU (user libvirt-qemu) cannot use KVM and libvirt re-probes "
            + "QEMU on every start (slow)",
            "chgrp kvm /dev/kvm && chmod 660 /dev/kvm (scripts/host-setup.sh does this; "
                + "udev does it on hosts with systemd)"));
      }
    } catch (IOException | UnsupportedOperationException e) {
      emit.accept(Check.warn("/dev/kvm", "cannot read its permissions: " + e.getMessage(), null));
    }
  }

  private boolean checkKvm(HostReport host, Consumer<Check> emit) throws InterruptedException {
    if (!host.domainTypes().contains("kvm")) {
      emit.accept(Check.warn("kvm", "libvirt offers no KVM domains on this host; TCG will be "
          + "used", "make /dev/kvm usable (see above), then restart libvirtd"));
      return false;
    }
    try {
      AcceleratorProbe.Result r = AcceleratorProbe.probe(libvirtUri, Accelerator.KVM,
          probeDeadline);
      if (r.usable()) {
        emit.accept(Check.ok("kvm", "KVM runs guests: " + r.reason()));
        return true;
      }
      emit.accept(Check.warn("kvm", "KVM is present but cannot run guests on this host: "
          + r.reason() + ". TCG will be used.",
          "on nested or paravirtualised hosts enable full nested virtualisation in the outer "
              + "hypervisor; otherwise keep 'accelerator: auto' (falls back to TCG)"));
      return false;
    } catch (MachineException e) {
      emit.accept(Check.warn("kvm", "probe failed: " + e.getMessage(), null));
      return false;
    }
  }

  private boolean checkTcg(Consumer<Check> emit) throws InterruptedException {
    try {
      AcceleratorProbe.Result r = AcceleratorProbe.probe(libvirtUri, Accelerator.TCG,
          probeDeadline);
      if (r.usable()) {
        emit.accept(Check.ok("tcg", "software emulation runs guests: " + r.reason()));
        return true;
      }
      emit.accept(Check.fail("tcg", "software emulation cannot run the probe: " + r.reason(),
          "check /var/log/libvirt/qemu/ for the domain's log"));
    } catch (MachineException e) {
      emit.accept(Check.fail("tcg", "probe failed: " + e.getMessage(), null));
    }
    return false;
  }

  private void checkDisk(Consumer<Check> emit) {
    Path dir = workDir.toAbsolutePath().normalize();
    while (dir != null && !Files.exists(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      emit.accept(Check.warn("disk", "cannot find " + workDir, null));
      return;
    }
    try {
      long free = Files.getFileStore(dir).getUsableSpace();
      String detail = gib(free) + " free under " + dir;
      if (free < DISK_FAIL_BYTES) {
        emit.accept(Check.fail("disk", detail, "free at least " + gib(DISK_WARN_BYTES)
            + " or point --work-dir elsewhere"));
      } else if (free < DISK_WARN_BYTES) {
        emit.accept(Check.warn("disk", detail + "; large templates may not fit",
            "free at least " + gib(DISK_WARN_BYTES)));
      } else {
        emit.accept(Check.ok("disk", detail));
      }
    } catch (IOException e) {
      emit.accept(Check.warn("disk", "cannot read free space: " + e.getMessage(), null));
    }
  }

  private void checkTools(Consumer<Check> emit) {
    List<String> missing = new ArrayList<>();
    List<String> packages = new ArrayList<>();
    for (Map.Entry<String, String> t : TEST_TOOLS.entrySet()) {
      if (onPath(t.getKey()) == null) {
        missing.add(t.getKey());
        if (!packages.contains(t.getValue())) {
          packages.add(t.getValue());
        }
      }
    }
    if (missing.isEmpty()) {
      emit.accept(Check.ok("test tools", String.join(", ", TEST_TOOLS.keySet())));
    } else {
      emit.accept(Check.warn("test tools", "missing " + String.join(", ", missing)
          + " (only Kiln's own test suite needs them)",
          "apt-get install " + String.join(" ", packages)));
    }
  }

  /** The first executable named {@code tool} on PATH, or null. */
  static Path onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, tool);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  private static String gib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
