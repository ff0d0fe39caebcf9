package dev.kiln.kvm.internal;

import dev.kiln.api.Accelerator;
import dev.kiln.api.MachineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** One run of the accelerator probe: a transient domain, watched, then destroyed. */
public final class ProbeRun {
  /** Whether the accelerator ran a guest, why not, and how long the probe took. */
  public record Verdict(boolean usable, String reason, Duration elapsed) {}

  static final String DONE = "KILN-PROBE done";
  static final String LONG_MODE = "KILN-PROBE long-mode";
  /** Messages QEMU/KVM write to the domain log when KVM cannot run the guest. */
  static final List<String> KVM_FAILURES = List.of("KVM internal error", "emulation failure",
      "failed to set MSR", "kvm_buf_set_msrs", "Could not access KVM kernel module",
      "KVM is not supported", "failed to initialize kvm", "error: kvm run failed");

  private final LibvirtConnection connection;
  private final Accelerator accelerator;
  private final Duration deadline;

  public ProbeRun(LibvirtConnection connection, Accelerator accelerator, Duration deadline) {
    this.connection = connection;
    this.accelerator = accelerator;
    this.deadline = deadline;
  }

  public Verdict run() throws MachineException, InterruptedException {
    String name = "kiln-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    Path dir = null;
    Domain domain = null;
    Instant start = Instant.now();
    try {
      dir = Files.createTempDirectory("kiln-probe-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      Path disk = dir.resolve("probe.img");
      Path console = dir.resolve("console.log");
      Files.write(disk, bootImage());
      String xml = ProbeDomainXml.build(name, accelerator, disk, console);
      try {
        domain = connection.connect().domainCreateXML(xml, 0);
      } catch (LibvirtException e) {
        return result(false, "libvirt refused the domain: " + firstLine(e.getMessage()), start);
      }
      return watch(name, domain, console, start);
    } catch (IOException e) {
      throw new MachineException("accelerator probe: " + e.getMessage(), e);
    } finally {
      if (domain != null) {
        try {
          if (domain.isActive() == 1) {
            domain.destroy();
          }
        } catch (LibvirtException ignored) {
          // already gone: a transient domain disappears when it stops
        }
      }
      deleteTree(dir);
      if (connection.isLocal()) {
        try {
          Files.deleteIfExists(Path.of("/var/log/libvirt/qemu", name + ".log"));
        } catch (IOException ignored) {
          // not ours to insist on: libvirt may rotate or hold it
        }
      }
    }
  }

  private Verdict watch(String name, Domain domain, Path console, Instant start)
      throws InterruptedException, IOException {
    Instant end = start.plus(deadline);
    boolean longMode = false;
    while (Instant.now().isBefore(end)) {
      String out = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1)
          : "";
      longMode |= out.contains(LONG_MODE);
      if (out.contains(DONE)) {
        Duration took = Duration.between(start, Instant.now());
        return result(true, "ran the probe guest in " + took.toMillis() + " ms", start);
      }
      if (!isActive(domain)) {
        return result(false, "the guest stopped before finishing" + logHint(name), start);
      }
      Thread.sleep(100);
    }
    String failure = logHint(name);
    return result(false, (longMode ? "the guest reached long mode but crawled: it did not "
        + "finish 64 MiB of memory writes in " + deadline.toSeconds() + " s"
        : "no console output in " + deadline.toSeconds() + " s") + failure, start);
  }

  private static boolean isActive(Domain domain) {
    try {
      return domain.isActive() == 1;
    } catch (LibvirtException e) {
      return false; // a transient domain that stopped no longer exists
    }
  }

  /** The KVM error lines from libvirt's log of this domain, when it is readable here. */
  private String logHint(String name) {
    if (!connection.isLocal()) {
      return "";
    }
    Path log = Path.of("/var/log/libvirt/qemu", name + ".log");
    try {
      List<String> hits = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
          .filter(l -> KVM_FAILURES.stream().anyMatch(f -> l.toLowerCase(Locale.ROOT)
              .contains(f.toLowerCase(Locale.ROOT))))
          .distinct().limit(3).collect(Collectors.toList());
      return hits.isEmpty() ? "" : " (" + String.join("; ", hits) + ")";
    } catch (IOException e) {
      return "";
    }
  }

  private Verdict result(boolean usable, String reason, Instant start) {
    return new Verdict(usable, reason, Duration.between(start, Instant.now()));
  }

  /** The probe boot sector padded to 1 MiB, so firmware sees an ordinary disk. */
  static byte[] bootImage() throws IOException {
    byte[] image = new byte[1 << 20];
    try (InputStream in = ProbeRun.class.getResourceAsStream("accel-probe.bin")) {
      if (in == null) {
        throw new IOException("accel-probe.bin missing from the Kiln jar");
      }
      byte[] sector = in.readAllBytes();
      System.arraycopy(sector, 0, image, 0, sector.length);
    }
    return image;
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp dir the daemon still holds is removed by `kiln clean`
    }
  }
}
