package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code kiln doctor} against this host's real libvirt daemon (it boots two probe guests). */
@Tag("libvirt")
class DoctorCommandTest {
  private static String line(String out, String check) {
    List<String> lines = Arrays.stream(out.split("\n"))
        .filter(l -> l.matches("  (ok|info|warn|fail)\\s+" + java.util.regex.Pattern.quote(check)
            + "\\s.*"))
        .collect(Collectors.toList());
    assertThat(lines).as("a line for check %s in:%n%s", check, out).hasSize(1);
    return lines.get(0).trim();
  }

  @Test
  void reportsLibvirtQemuAndWhichAcceleratorBuildsWillUse() {
    CliTest.Run r = CliTest.kiln("doctor", "--probe-timeout", "15");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(line(r.out(), "libvirt")).startsWith("ok").contains("libvirt 9.", "QEMU ");
    assertThat(line(r.out(), "qemu")).startsWith("ok").contains("qemu-system-x86_64");
    assertThat(line(r.out(), "tcg")).startsWith("ok");
    String kvm = line(r.out(), "kvm");
    String accel = line(r.out(), "accelerator");
    if (kvm.startsWith("ok")) {
      assertThat(accel).contains("use KVM");
    } else {
      // This CI host: /dev/kvm exists but cannot run a guest (nested KVM-PVM).
      assertThat(kvm).startsWith("warn")
          .contains("KVM is present but cannot run guests on this host", "TCG will be used");
      assertThat(accel).contains("use TCG");
    }
    assertThat(r.out()).doesNotContain("  fail ").contains("Kiln can build on this host");
  }

  @Test
  void anUnreachableLibvirtFailsWithAFix() {
    CliTest.Run r = CliTest.kiln("doctor", "--connect", "qemu+unix:///system?socket=/nonexistent");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(line(r.out(), "libvirt")).startsWith("fail");
    assertThat(r.out()).contains("fix: run scripts/host-setup.sh")
        .contains("Kiln cannot build on this host");
  }
}
