package dev.kiln.formats.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.FormatCodec;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.Tools;
import dev.kiln.formats.UnsupportedFeatureException;
import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.qcow2.Qcow2Codec;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.vhd.VhdOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one registry, judged by files Kiln did not write: images made by {@code qemu-img} in
 * each format, an OVA made by GNU tar, each named wrongly so only the content can tell.
 */
class FormatRegistryTest {
  private final FormatRegistry registry = FormatRegistry.standard();

  private static Path qemuImage(Path dir, String qemuFormat) throws Exception {
    // a misleading name: recognition must read the content
    Path file = dir.resolve(qemuFormat + ".bin");
    Tools.Result r = Tools.run("qemu-img", "create", "-f", qemuFormat, file.toString(), "64M");
    assertThat(r.exit()).as(r.output()).isZero();
    return file;
  }

  @Test
  void everyFormatIsRecognisedFromContentMadeByQemuImg(@TempDir Path dir) throws Exception {
    Map<String, ImageFormat> made = Map.of("qcow2", ImageFormat.QCOW2, "vpc", ImageFormat.VHD,
        "vhdx", ImageFormat.VHDX, "vmdk", ImageFormat.VMDK, "raw", ImageFormat.RAW);
    for (Map.Entry<String, ImageFormat> e : made.entrySet()) {
      Path file = qemuImage(dir, e.getKey());
      assertThat(registry.detect(file)).as(e.getKey()).isEqualTo(e.getValue());
      // the size QEMU itself reads (a VHD's is rounded to its CHS geometry)
      Tools.Result info = Tools.run("qemu-img", "info", "--output=json", file.toString());
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("\"virtual-size\": (\\d+)").matcher(info.output());
      assertThat(m.find()).as(info.output()).isTrue();
      long qemuSize = Long.parseLong(m.group(1));
      ImageReport report = registry.inspect(file);
      assertThat(report.format()).isEqualTo(e.getValue());
      assertThat(report.virtualSize()).as(e.getKey()).isEqualTo(qemuSize);
      assertThat(report.problems()).as(e.getKey()).isEmpty();
      try (DiskImage image = registry.open(file)) {
        assertThat(image.virtualSize()).isEqualTo(qemuSize);
      }
    }
  }

  @Test
  void aTarIsAnOvaWhateverItHoldsAndIsNotOpenedAsADisk(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("x.ovf"), "<Envelope/>");
    Path tar = dir.resolve("looks-like.qcow2");
    Tools.Result r = Tools.run("tar", "--format=ustar", "-C", dir.toString(), "-cf",
        tar.toString(), "x.ovf");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(registry.detect(tar)).isEqualTo(ImageFormat.OVA);
    assertThatThrownBy(() -> registry.open(tar)).isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("an OVA is an archive of disks");
  }

  @Test
  void namesAndExtensionsResolveThroughOneList() {
    assertThat(registry.byName("QCOW2").map(FormatCodec::format)).contains(ImageFormat.QCOW2);
    assertThat(registry.byName("img").map(FormatCodec::format)).contains(ImageFormat.RAW);
    assertThat(registry.byName(".vhdx").map(FormatCodec::format)).contains(ImageFormat.VHDX);
    assertThat(registry.byName("iso")).isEmpty();

    FormatRegistry.FileName vhd = registry.forFileName("Debian-12.4.vhd.bz2").orElseThrow();
    assertThat(vhd.codec().format()).isEqualTo(ImageFormat.VHD);
    assertThat(vhd.packaging()).isEqualTo(Packaging.BZIP2);
    assertThat(vhd.stem()).isEqualTo("Debian-12.4");
    // the longest extension wins: .vhdx is not a .vhd with an x
    assertThat(registry.forFileName("x.VHDX.zip").orElseThrow().codec().format())
        .isEqualTo(ImageFormat.VHDX);
    assertThat(registry.forFileName("x.tar.gz")).isEmpty();
    assertThat(registry.extensionsText())
        .isEqualTo(".qcow2, .vhdx, .vmdk, .ova, .vhd, .raw or .img");
  }

  @Test
  void aTargetTakesTheOptionsOfItsOwnFormatOnly() {
    Qcow2Options compressed = new Qcow2Options("1.1", true, 1);
    ConversionTarget t = ConversionTarget.forFileName("x.qcow2", Optional.empty(),
        List.of(VhdOptions.dynamicNow(), compressed));
    assertThat(t.options()).contains(compressed);
    ConversionTarget raw = ConversionTarget.forFileName("x.img.gz", Optional.empty(),
        List.of(compressed));
    assertThat(raw.format()).isEqualTo(ImageFormat.RAW);
    assertThat(raw.packaging()).isEqualTo(Packaging.GZIP);
    assertThat(raw.options()).isEmpty();
    assertThatThrownBy(() -> ConversionTarget.forFileName("x.iso", Optional.empty(), List.of()))
        .hasMessage("cannot tell the format of 'x.iso': use an extension .qcow2, .vhdx, .vmdk, "
            + ".ova, .vhd, .raw or .img (optionally followed by .bz2, .gz, .zip or .xz) or give "
            + "the format");
    assertThatThrownBy(() -> ConversionTarget.of(ImageFormat.OVA, Packaging.ZIP)
        .withOptions(compressed)).hasMessageContaining("already an archive");
    assertThatThrownBy(() -> ConversionTarget.of(ImageFormat.VHD, Packaging.NONE)
        .withOptions(compressed)).hasMessage("Qcow2Options are not options of VHD");
  }

  @Test
  void aWrittenImageIsReadBackByQemuInTheFormatTheNameAsked(@TempDir Path dir)
      throws Exception {
    Path source = qemuImage(dir, "raw");
    try (var ch = java.nio.channels.FileChannel.open(source,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("kiln registry".getBytes(
          java.nio.charset.StandardCharsets.US_ASCII)), 1 << 20);
    }
    for (String name : List.of("out.qcow2", "out.vhd", "out.vhdx", "out.vmdk", "out.img")) {
      Path out = dir.resolve(name);
      ImageConverter.convert(source, out, ConversionTarget.forFileName(name, Optional.empty(),
          List.of()), 1, n -> { });
      Tools.Result r = Tools.run("qemu-img", "compare", "-q", source.toString(),
          out.toString());
      assertThat(r.exit()).as(name + ": " + r.output()).isZero();
    }
  }

  @Test
  void aRegistryWithoutRawRefusesWhatNoCodecRecognises(@TempDir Path dir) throws IOException {
    Path junk = Files.write(dir.resolve("junk"), new byte[4096]);
    FormatRegistry onlyQcow2 = FormatRegistry.of(List.of(new Qcow2Codec()));
    assertThatThrownBy(() -> onlyQcow2.detect(junk))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("junk is in none of the formats qcow2");
  }
}
