package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.iso9660.IsoRemaster;
import dev.kiln.kvm.internal.KilnMetadataAccess;
import dev.kiln.kvm.internal.Xml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real guests (TCG) booting ISOs written by Kiln: an isolinux image that says a marker on the
 * serial port, and a netinst-style image remastered by Kiln whose d-i kernel boots and prints
 * Kiln's kernel arguments. Domains are transient and destroyed even when a test fails; the
 * console tail is attached to a failure.
 */
@Tag("vm")
class IsoBootVmTest extends VmTestSupport {
  static final Path DI = Path.of("/usr/lib/debian-installer/images/12/amd64/text/"
      + "debian-installer/amd64");

  private String bootCdrom(Path iso, Duration timeout, String... markers) throws Exception {
    String name = "kiln-test-" + UUID.randomUUID().toString().substring(0, 8);
    Xml d = Xml.root("domain").attr("type", "qemu");
    d.text("name", name);
    KilnMetadataAccess.append(d, "test", Instant.now());
    d.child("memory").attr("unit", "MiB").text("1024");
    d.text("vcpu", "1");
    Xml os = d.child("os");
    os.child("type").attr("arch", "x86_64").attr("machine", "pc").text("hvm");
    os.child("boot").attr("dev", "cdrom");
    d.child("cpu").attr("mode", "maximum");
    d.text("on_poweroff", "destroy").text("on_reboot", "destroy").text("on_crash", "destroy");
    Xml devices = d.child("devices");
    Xml cd = devices.child("disk").attr("type", "file").attr("device", "cdrom");
    cd.child("driver").attr("name", "qemu").attr("type", "raw");
    cd.child("source").attr("file", iso.toString());
    cd.child("target").attr("dev", "hdc").attr("bus", "ide");
    cd.child("readonly");
    Xml serial = devices.child("serial").attr("type", "file");
    serial.child("source").attr("path", console.toString());
    serial.child("target").attr("port", "0");
    devices.child("memballoon").attr("model", "none");
    start(d.serialize());
    java.util.function.Predicate<String> all = out -> java.util.Arrays.stream(markers)
        .allMatch(out::contains);
    String out = awaitConsole(timeout, all);
    if (!all.test(out)) {
      throw new AssertionError("markers " + String.join(", ", markers) + " not seen in "
          + timeout.toSeconds() + " s; console tail:\n" + tail(out));
    }
    return out;
  }

  @Test
  void biosBootsKilnsElToritoImage() throws Exception {
    Path iso = dir.resolve("boot.iso");
    IsoImageWriter.builder("KILN_BOOT")
        .addFile("isolinux/isolinux.bin", Path.of("/usr/lib/ISOLINUX/isolinux.bin"))
        .addFile("isolinux/ldlinux.c32", Path.of("/usr/lib/syslinux/modules/bios/ldlinux.c32"))
        // isolinux reads this config from Kiln's ISO and tries to load the named kernel, which
        // it reports on the serial port: proof that BIOS, El Torito and ISO 9660 all worked
        .addFile("isolinux/isolinux.cfg", ("SERIAL 0 115200\nPROMPT 0\nTIMEOUT 1\n"
            + "DEFAULT marker\nLABEL marker\n  KERNEL /kiln-isolinux-ok\n")
            .getBytes(StandardCharsets.UTF_8))
        .biosBoot("isolinux/isolinux.bin", 4, true, "isolinux/boot.cat")
        .writeTo(iso);
    assertThat(bootCdrom(iso, Duration.ofSeconds(90), "Loading /kiln-isolinux-ok"))
        .contains("ISOLINUX");
  }

  @Test
  void remasteredInstallerBootsWithKilnsKernelArguments() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("install.amd"));
    Files.createDirectories(tree.resolve("isolinux"));
    Files.copy(DI.resolve("linux"), tree.resolve("install.amd/vmlinuz"));
    Files.copy(DI.resolve("initrd.gz"), tree.resolve("install.amd/initrd.gz"));
    Path original = dir.resolve("netinst.iso");
    IsoImageWriter.builder("DEBIAN_12")
        .addFile("install.amd/vmlinuz", DI.resolve("linux"))
        .addFile("install.amd/initrd.gz", DI.resolve("initrd.gz"))
        .addFile("isolinux/isolinux.bin", Path.of("/usr/lib/ISOLINUX/isolinux.bin"))
        .addFile("isolinux/ldlinux.c32", Path.of("/usr/lib/syslinux/modules/bios/ldlinux.c32"))
        .addFile("isolinux/isolinux.cfg", ("SERIAL 0 115200\nDEFAULT install\nPROMPT 0\n"
            + "LABEL install\n  KERNEL /install.amd/vmlinuz\n"
            + "  APPEND initrd=/install.amd/initrd.gz --- quiet\n")
            .getBytes(StandardCharsets.UTF_8))
        .biosBoot("isolinux/isolinux.bin", 4, true, "isolinux/boot.cat")
        .writeTo(original);
    Path preseed = dir.resolve("preseed.cfg");
    Files.writeString(preseed, "d-i debian-installer/locale string en_US\n");
    Path remastered = dir.resolve("remastered.iso");
    IsoRemaster.remaster(original, remastered, Map.of("preseed.cfg", preseed),
        "console=ttyS0,115200 ignore_loglevel kiln.marker=remastered", dir);
    // the original configuration has no console=ttyS0: kernel messages on the serial port
    // prove the kernel got the arguments Kiln added
    String console = bootCdrom(remastered, Duration.ofSeconds(240), "Linux version",
        "kiln.marker=remastered");
    assertThat(console).contains("Command line:").contains("console=ttyS0,115200");
  }
}
