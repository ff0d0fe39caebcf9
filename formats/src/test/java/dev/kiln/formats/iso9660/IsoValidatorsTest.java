package dev.kiln.formats.iso9660;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.formats.Tools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kiln's ISOs judged by isoinfo, xorriso, blkid, 7-Zip and pycdlib; and Kiln's reader judged on
 * ISOs that xorriso made.
 */
@Tag("validator")
class IsoValidatorsTest {
  static final Instant T = Instant.parse("2026-03-04T05:06:07Z");
  static final String USER_DATA = "#cloud-config\nusers:\n  - name: kiln\n";

  @TempDir
  Path dir;

  private Path seed(String label) throws IOException {
    Path iso = dir.resolve(label + ".iso");
    IsoImageWriter.Builder b = IsoImageWriter.builder(label).timestamp(T);
    if (label.equals("CIDATA")) {
      b.addFile("user-data", USER_DATA.getBytes(StandardCharsets.UTF_8))
          .addFile("meta-data", "instance-id: i-0001\n".getBytes(StandardCharsets.UTF_8))
          .addFile("network-config", "version: 2\n".getBytes(StandardCharsets.UTF_8));
    } else {
      b.addFile("ks.cfg", "text\nreboot --poweroff\n".getBytes(StandardCharsets.UTF_8));
    }
    b.addFile("extra/Some Long Name-with-ÜTF8.txt", "x".getBytes(StandardCharsets.UTF_8))
        .addSymlink("extra/link", "../meta-data");
    b.writeTo(iso);
    return iso;
  }

  @ParameterizedTest
  @ValueSource(strings = {"CIDATA", "OEMDRV"})
  void seedIsoPassesEveryReader(String label) throws Exception {
    Path iso = seed(label);
    String first = label.equals("CIDATA") ? "user-data" : "ks.cfg";
    Tools.Result d = Tools.run("isoinfo", "-d", "-i", iso.toString());
    assertThat(d.output()).contains("Volume id: " + label, "Joliet with UCS level 3 found",
        "Rock Ridge signatures version 1 found");
    assertThat(Tools.run("isoinfo", "-R", "-l", "-i", iso.toString()).output())
        .contains(first, "Some Long Name-with-ÜTF8.txt", "link -> ../meta-data");
    assertThat(Tools.run("isoinfo", "-J", "-l", "-i", iso.toString()).output()).contains(first);
    assertThat(Tools.run("isoinfo", "-l", "-i", iso.toString()).output()).contains(";1");
    Tools.Result media = Tools.run("xorriso", "-indev", iso.toString(), "-check_media", "--");
    assertThat(media.exit()).as(media.output()).isZero();
    assertThat(media.output()).contains("+ good");
    Tools.Result blkid = Tools.run("blkid", "-p", iso.toString());
    assertThat(blkid.output()).contains("LABEL=\"" + label + "\"", "TYPE=\"iso9660\"");
    Tools.Result t = Tools.run("7zz", "t", iso.toString());
    assertThat(t.output()).as(t.output()).contains("Everything is Ok");
    Tools.Result x = Tools.run("7zz", "x", "-so", iso.toString(), first);
    assertThat(x.output()).isEqualTo(new String(new IsoReaderContent(iso).read(first),
        StandardCharsets.UTF_8));
    Tools.Result py = Tools.run("/usr/bin/python3", "-c", String.join("\n",
        "import pycdlib, io, sys",
        "iso = pycdlib.PyCdlib(); iso.open(sys.argv[1])",
        "for kind in ('rr_path', 'joliet_path'):",
        "    for path, dirs, files in iso.walk(**{kind: '/'}):",
        "        print(kind, path, sorted(dirs), sorted(files))",
        "b = io.BytesIO(); iso.get_file_from_iso_fp(b, rr_path='/' + sys.argv[2])",
        "print('CONTENT', b.getvalue().decode())",
        "print('LABEL', iso.pvd.volume_identifier.decode().strip())",
        "iso.close()"), iso.toString(), first);
    assertThat(py.exit()).as(py.output()).isZero();
    assertThat(py.output()).contains("rr_path / ['extra']", "LABEL " + label)
        .contains(label.equals("CIDATA") ? "CONTENT " + USER_DATA : "CONTENT text");
  }

  /** Reads through Kiln's reader (a small adapter so the test reads like the others). */
  record IsoReaderContent(Path iso) {
    byte[] read(String path) throws IOException {
      try (IsoReader r = IsoReader.open(iso)) {
        return r.read(path, 1 << 20);
      }
    }
  }

  @Test
  void kilnReaderReadsItsOwnSeedIso() throws Exception {
    try (IsoReader r = IsoReader.open(seed("CIDATA"))) {
      assertThat(r.volumeId()).isEqualTo("CIDATA");
      assertThat(r.jolietVolumeId()).contains("CIDATA");
      assertThat(r.hasRockRidge()).isTrue();
      assertThat(r.list("")).extracting(IsoEntry::name)
          .containsExactlyInAnyOrder("extra", "meta-data", "network-config", "user-data");
      assertThat(r.find("extra/link").flatMap(IsoEntry::linkTarget)).contains("../meta-data");
      assertThat(new String(r.read("user-data", 4096), StandardCharsets.UTF_8))
          .isEqualTo(USER_DATA);
    }
  }

  @Test
  void outputIsDeterministicForAPinnedTimestamp() throws Exception {
    Path a = seed("CIDATA");
    Path b = dir.resolve("again.iso");
    Files.copy(a, dir.resolve("first.iso"));
    Files.move(a, b);
    seed("CIDATA");
    assertThat(Files.mismatch(dir.resolve("first.iso"), dir.resolve("CIDATA.iso")))
        .isEqualTo(-1L);
  }

  /** A BIOS (isolinux) and UEFI bootable image, as a remastered installer would be. */
  static Path bootableIso(Path dir) throws IOException {
    Path iso = dir.resolve("boot.iso");
    IsoImageWriter.builder("KILN_BOOT").timestamp(T)
        .addFile("isolinux/isolinux.bin", Path.of("/usr/lib/ISOLINUX/isolinux.bin"))
        .addFile("isolinux/ldlinux.c32", Path.of("/usr/lib/syslinux/modules/bios/ldlinux.c32"))
        .addFile("isolinux/isolinux.cfg", ("SERIAL 0 115200\nSAY KILN-ISOLINUX-OK\n"
            + "PROMPT 0\nDEFAULT none\nLABEL none\n  KERNEL /nothing\n")
            .getBytes(StandardCharsets.US_ASCII))
        .addFile("boot/efiboot.img", new byte[64 * 1024])
        .biosBoot("isolinux/isolinux.bin", 4, true, "isolinux/boot.cat")
        .efiBoot("boot/efiboot.img")
        .writeTo(iso);
    return iso;
  }

  @Test
  void elToritoCatalogAndBootInfoTableAreValid() throws Exception {
    Path iso = bootableIso(dir);
    Tools.Result report = Tools.run("xorriso", "-indev", iso.toString(), "-report_el_torito", "plain");
    assertThat(report.exit()).as(report.output()).isZero();
    assertThat(report.output()).contains("El Torito boot img :   1  BIOS  y   none",
        "El Torito boot img :   2  UEFI  y   none");
    assertThat(Tools.run("isoinfo", "-d", "-i", iso.toString()).output())
        .contains("El Torito VD version 1 found");
    Tools.Result py = Tools.run("/usr/bin/python3", "-c", String.join("\n",
        "import pycdlib, sys",
        "iso = pycdlib.PyCdlib(); iso.open(sys.argv[1])",
        "print('ELTORITO', iso.eltorito_boot_catalog is not None)",
        "iso.close()"), iso.toString());
    assertThat(py.output()).as(py.output()).contains("ELTORITO True");
    try (IsoReader r = IsoReader.open(iso)) {
      List<BootEntry> boot = r.bootEntries();
      assertThat(boot).extracting(BootEntry::platform).containsExactly(0, 0xEF);
      IsoEntry bin = r.find("isolinux/isolinux.bin").orElseThrow();
      assertThat(boot.get(0).lba()).isEqualTo(bin.extents().get(0)[0]);
      ByteBuffer table = ByteBuffer.wrap(r.read("isolinux/isolinux.bin", 1 << 20))
          .order(ByteOrder.LITTLE_ENDIAN);
      assertThat(table.getInt(8)).as("bi_pvd").isEqualTo(16);
      assertThat(table.getInt(12)).as("bi_file").isEqualTo((int) bin.extents().get(0)[0]);
      assertThat(table.getInt(16)).as("bi_length").isEqualTo((int) bin.size());
    }
  }

  @Test
  void kilnReadsIsosMadeByXorriso() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("install.amd"));
    Files.createDirectories(tree.resolve("isolinux"));
    Path dI = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");
    Files.copy(dI.resolve("linux"), tree.resolve("install.amd/vmlinuz"));
    Files.copy(dI.resolve("initrd.gz"), tree.resolve("install.amd/initrd.gz"));
    Files.copy(Path.of("/usr/lib/ISOLINUX/isolinux.bin"), tree.resolve("isolinux/isolinux.bin"));
    Files.writeString(tree.resolve("isolinux/isolinux.cfg"), "default install\n");
    String[][] variants = {
        {"-J", "-R"},
        {"-R"},
        {"-J"},
        {},
        {"-J", "-R", "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot",
            "-boot-load-size", "4", "-boot-info-table"}};
    int i = 0;
    for (String[] opts : variants) {
      Path iso = dir.resolve("x" + i++ + ".iso");
      List<String> cmd = new java.util.ArrayList<>(List.of("xorriso", "-as", "mkisofs", "-V",
          "DEBIAN_NETINST", "-o", iso.toString()));
      cmd.addAll(List.of(opts));
      cmd.add(tree.toString());
      Tools.Result made = Tools.run(cmd.toArray(String[]::new));
      assertThat(made.exit()).as(made.output()).isZero();
      try (IsoReader r = IsoReader.open(iso)) {
        assertThat(r.volumeId()).isEqualTo("DEBIAN_NETINST");
        // xorriso writes Rock Ridge even without -R; names are then the original ones
        boolean plain = !r.hasRockRidge() && !r.hasJoliet();
        String kernel = plain ? "INSTALL.AMD/VMLINUZ" : "install.amd/vmlinuz";
        String initrd = plain ? "INSTALL.AMD/INITRD.GZ" : "install.amd/initrd.gz";
        Path k = dir.resolve("kernel" + i);
        Path rd = dir.resolve("initrd" + i);
        r.extract(kernel, k);
        r.extract(initrd, rd);
        assertThat(Files.mismatch(k, dI.resolve("linux"))).as(String.join(" ", opts))
            .isEqualTo(-1L);
        assertThat(Files.mismatch(rd, dI.resolve("initrd.gz"))).isEqualTo(-1L);
        if (List.of(opts).contains("-b")) {
          assertThat(r.bootEntries()).singleElement()
              .satisfies(e -> assertThat(e.bootable()).isTrue());
        }
      }
    }
  }
}
