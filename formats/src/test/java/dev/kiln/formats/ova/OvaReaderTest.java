package dev.kiln.formats.ova;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading OVAs back, and refusing broken or hostile ones with typed errors. */
class OvaReaderTest {
  @TempDir
  Path dir;
  Path ova;
  Path raw;

  static final OvfSpec SPEC = new OvfSpec("vm", GuestOs.forOs("ubuntu-24.04"), 4, 4096, false,
      "vmx-17", "VirtualSCSI", "b-1", "2.0");

  @BeforeEach
  void build() throws Exception {
    raw = dir.resolve("disk.raw");
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength(300L << 20);
      f.seek(5 << 20);
      f.write("data".repeat(50_000).getBytes(StandardCharsets.US_ASCII));
    }
    ova = dir.resolve("vm.ova");
    try (RawImage in = RawImage.open(raw)) {
      OvaWriter.write(in, ova, SPEC, 2, Instant.EPOCH, d -> { });
    }
  }

  @Test
  void summaryAndManifestReadBack() throws Exception {
    assertThat(FormatRegistry.standard().detect(ova)).isEqualTo(ImageFormat.OVA);
    try (OvaReader r = OvaReader.open(ova)) {
      assertThat(r.members()).containsExactly("vm.ovf", "vm.mf", "vm-disk1.vmdk");
      OvaReader.Summary s = r.summary();
      assertThat(s.name()).isEqualTo("vm");
      assertThat(s.cimOsId()).isEqualTo(94);
      assertThat(s.vmwareOsType()).isEqualTo("ubuntu64Guest");
      assertThat(s.cpus()).isEqualTo(4);
      assertThat(s.memoryMiB()).isEqualTo(4096);
      assertThat(s.disks()).singleElement().satisfies(d -> {
        assertThat(d.capacity()).isEqualTo(300L << 20);
        assertThat(d.format()).endsWith("#streamOptimized");
      });
      assertThat(r.verifyManifest()).isEmpty();
    }
  }

  @Test
  void ovaConvertsBackToTheSameDisk() throws Exception {
    Path out = dir.resolve("back.raw");
    ImageConverter.convert(ova, out, ConversionTarget.forFileName("back.raw", Optional.empty(),
        java.util.List.of(SPEC)), 2,
        d -> { });
    assertThat(Files.mismatch(out, raw)).isEqualTo(-1L);
  }

  @Test
  void aTamperedDiskFailsTheManifest() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(ova.toFile(), "rw")) {
      f.seek(f.length() - 5000); // inside the VMDK's last bytes
      f.write(0x5a);
    }
    try (OvaReader r = OvaReader.open(ova)) {
      assertThat(r.verifyManifest()).singleElement().asString()
          .startsWith("manifest mismatch for vm-disk1.vmdk");
    }
    assertThatThrownBy(() -> ImageConverter.convert(ova, dir.resolve("x.raw"),
        ConversionTarget.forFileName("x.raw", Optional.empty(),
            java.util.List.of(SPEC)), 2, d -> { }))
        .isInstanceOf(FormatException.class).hasMessageContaining("manifest mismatch");
    assertThat(dir.resolve("x.raw")).doesNotExist();
  }

  private Path tar(String... namesAndContents) throws Exception {
    Path t = dir.resolve("hostile.ova");
    try (OutputStream o = Files.newOutputStream(t);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(o)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        byte[] data = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i], true);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
      }
    }
    return t;
  }

  @Test
  void hostileMemberNameIsRefused() throws Exception {
    Path t = tar("vm.ovf", "<x/>", "../evil", "boom");
    assertThatThrownBy(() -> OvaReader.open(t).close()).isInstanceOf(FormatException.class)
        .hasMessageContaining("unsafe member name '../evil'");
  }

  @Test
  void ovfReferencingAMissingFileIsRefused() throws Exception {
    String ovf;
    try (OvaReader r = OvaReader.open(ova)) {
      r.extract("vm.ovf", dir.resolve("vm.ovf"));
      ovf = Files.readString(dir.resolve("vm.ovf"));
    }
    Path t = tar("vm.ovf", ovf, "vm.mf", "");
    assertThatThrownBy(() -> OvaReader.open(t).close()).isInstanceOf(FormatException.class)
        .hasMessageContaining("references vm-disk1.vmdk, which is not in the OVA");
  }

  @Test
  void ovfWithADoctypeIsRefusedNotExpanded() throws Exception {
    Path t = tar("vm.ovf", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
        + "\"file:///etc/passwd\">]><x>&e;</x>");
    assertThatThrownBy(() -> OvaReader.open(t).close()).isInstanceOf(FormatException.class)
        .hasMessageContaining("DOCTYPE");
  }

  @Test
  void descriptorIsFoundWhereverItIs() throws Exception {
    // DSP0243 wants it first; tools that put it later still make OVAs VMware opens
    Path t = tar("vm.mf", "", "vm.ovf", "<x/>");
    try (OvaReader ova = OvaReader.open(t)) {
      assertThat(ova.members()).containsExactly("vm.mf", "vm.ovf");
    }
  }

  @Test
  void anArchiveWithoutDescriptorIsNotAnOva() throws Exception {
    Path t = tar("vm.mf", "", "disk.vmdk", "x");
    assertThatThrownBy(() -> OvaReader.open(t).close()).isInstanceOf(FormatException.class)
        .hasMessageContaining("holds no .ovf descriptor");
  }

  @Test
  void capacityUnits() throws Exception {
    assertThat(OvaReader.capacity("10", "byte * 2^30")).isEqualTo(10L << 30);
    assertThat(OvaReader.capacity("512", "byte * 2^20")).isEqualTo(512L << 20);
    assertThat(OvaReader.capacity("1000", "byte")).isEqualTo(1000);
    assertThat(OvaReader.capacity("2", "byte * 10^9")).isEqualTo(2_000_000_000L);
    assertThatThrownBy(() -> OvaReader.capacity("x", "byte"))
        .isInstanceOf(FormatException.class);
  }
}
