package dev.kiln.kvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.Accelerator;
import dev.kiln.api.Firmware;
import dev.kiln.spi.MachineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Build-machine domain XML judged by libvirt's own schema (virt-xml-validate). */
@Tag("validator")
class DomainDefinitionTest {
  @TempDir
  Path dir;

  private String validate(String xml) throws Exception {
    Path f = dir.resolve("d.xml");
    Files.writeString(f, xml);
    Process p = new ProcessBuilder("virt-xml-validate", f.toString(), "domain")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out + "\n" + xml).isZero();
    return xml;
  }

  @Test
  void biosInstallerWithDirectKernelBootAndSeeds() throws Exception {
    MachineSpec spec = MachineSpec.builder("kiln-build-1").cpus(2).memoryMiB(2048)
        .addDisk(new MachineSpec.Disk(Path.of("/var/lib/kiln/b1/disk.qcow2"), "qcow2", false))
        .addCdrom(Path.of("/var/lib/kiln/cache/debian-12.iso"))
        .addCdrom(Path.of("/var/lib/kiln/b1/seed.iso"))
        .kernelBoot(new MachineSpec.KernelBoot(Path.of("/var/lib/kiln/b1/vmlinuz"),
            Path.of("/var/lib/kiln/b1/initrd.gz"), "auto=true console=ttyS0,115200"))
        .forwardGuestPort(22).label("build", "b1").build();
    String xml = validate(DomainDefinition.build(spec, Accelerator.TCG, Map.of(22, 40022),
        Path.of("/var/lib/kiln/b1/console.log"), Instant.EPOCH));
    assertThat(xml).contains("type=\"qemu\">", "<cpu mode=\"maximum\"/>",
        "restrict=on", "hostfwd=tcp:127.0.0.1:40022-:22", "bus=\"sata\"", "bus=\"virtio\"",
        "<cmdline>auto=true console=ttyS0,115200</cmdline>", "org.qemu.guest_agent.0",
        "https://kiln.dev/xmlns/libvirt/1");
    assertThat(xml).doesNotContain("<interface");
  }

  @Test
  void uefiSecureBootOnKvm() throws Exception {
    MachineSpec spec = MachineSpec.builder("kiln-build-2").firmware(Firmware.UEFI, true)
        .addDisk(new MachineSpec.Disk(Path.of("/d.qcow2"), "qcow2", false)).build();
    String xml = validate(DomainDefinition.build(spec, Accelerator.KVM, Map.of(),
        Path.of("/c.log"), Instant.EPOCH));
    assertThat(xml).contains("firmware=\"efi\"", "name=\"secure-boot\"", "<smm state=\"on\"/>",
        "host-passthrough", "type=\"kvm\">");
  }

  @Test
  void hostileValuesStayValues() throws Exception {
    MachineSpec spec = MachineSpec.builder("kiln-x")
        .addDisk(new MachineSpec.Disk(Path.of("/tmp/a'\"><devices>&.qcow2"), "qcow2", false))
        .kernelBoot(new MachineSpec.KernelBoot(Path.of("/k"), Path.of("/i"),
            "x</cmdline><emulator>/bin/sh</emulator>"))
        .build();
    String xml = validate(DomainDefinition.build(spec, Accelerator.TCG, Map.of(),
        Path.of("/c.log"), Instant.EPOCH));
    assertThat(xml).contains("&lt;/cmdline&gt;&lt;emulator&gt;").doesNotContain("<emulator>");
  }

  @Test
  void vncOnLoopbackAndGuestForwards() throws Exception {
    MachineSpec spec = MachineSpec.builder("kiln-build-3").vnc(true)
        .addDisk(new MachineSpec.Disk(Path.of("/d.qcow2"), "qcow2", false))
        .addGuestForward(new dev.kiln.api.GuestForward("10.0.2.100", 3142, 3142)).build();
    String xml = validate(DomainDefinition.build(spec, Accelerator.TCG, Map.of(),
        Path.of("/c.log"), Instant.EPOCH));
    assertThat(xml).contains("<graphics autoport=\"yes\" listen=\"127.0.0.1\"",
        "guestfwd=tcp:10.0.2.100:3142-cmd:nc 127.0.0.1 3142");
    // without vnc there is no display at all
    String headless = DomainDefinition.build(MachineSpec.builder("kiln-build-4")
        .addDisk(new MachineSpec.Disk(Path.of("/d.qcow2"), "qcow2", false)).build(),
        Accelerator.TCG, Map.of(), Path.of("/c.log"), Instant.EPOCH);
    assertThat(headless).doesNotContain("<graphics");
  }

  @Test
  void productionHostsMayUseANamedLibvirtNetwork() throws Exception {
    MachineSpec spec = MachineSpec.builder("kiln-build-5").libvirtNetwork("default")
        .addDisk(new MachineSpec.Disk(Path.of("/d.qcow2"), "qcow2", false)).build();
    String xml = validate(DomainDefinition.build(spec, Accelerator.KVM, Map.of(),
        Path.of("/c.log"), Instant.EPOCH));
    assertThat(xml).contains("<interface type=\"network\">", "<source network=\"default\"/>")
        .doesNotContain("qemu:commandline");
  }

  @Test
  void guestForwardsStayInsideQemusUserNetwork() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new dev.kiln.api.GuestForward("192.168.1.10", 80, 8080))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
