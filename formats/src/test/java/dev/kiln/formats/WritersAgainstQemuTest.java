package dev.kiln.formats;

import dev.kiln.formats.io.Converter;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.registry.FormatRegistry;
import dev.kiln.formats.vhd.VhdOptions;
import dev.kiln.formats.vhd.VhdWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/** Kiln's writers judged by qemu-img, which shares no code with them. */
@Tag("validator")
class WritersAgainstQemuTest {
  @TempDir
  static Path dir;

  /** 64 MiB + 12345 bytes: not a multiple of a cluster, a VHD block or a sector. */
  static Path source;

  @BeforeAll
  static void makeSource() throws Exception {
    source = TestDisks.mixed(dir, "source.raw", (64L << 20) + 12345, 42);
  }

  private static Path qcow2(String name, Qcow2Options options) throws Exception {
    Path out = dir.resolve(name);
    try (RawImage in = RawImage.open(source);
        Qcow2Writer w = Qcow2Writer.create(out, in.virtualSize(), options)) {
      Converter.convert(in, w, done -> { });
    }
    return out;
  }

  private static void assertQcow2Valid(Path out) throws Exception {
    Tools.Result check = Tools.run("qemu-img", "check", "-f", "qcow2", out.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("No errors were found on the image.");
    Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
        source.toString(), out.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    assertThat(Files.exists(out.resolveSibling(out.getFileName() + ".partial"))).isFalse();
    Tools.Result libyal = Tools.run("qcowinfo", out.toString());
    assertThat(libyal.exit()).as(libyal.output()).isZero();
    assertThat(libyal.output()).contains("Media size");
  }

  /** libvhdi's reader (vhdiinfo) accepts VHD and VHDX. */
  private static void assertVhdiinfoAccepts(Path out, String type) throws Exception {
    Tools.Result r = Tools.run("vhdiinfo", out.toString());
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains(type);
  }

  @Test
  void qcow2Version3() throws Exception {
    Path out = qcow2("v3.qcow2", new Qcow2Options("1.1", false, 1));
    assertQcow2Valid(out);
    assertThat(Tools.run("qemu-img", "info", out.toString()).output())
        .contains("compat: 1.1", "virtual size: 64 MiB (67121664 bytes)");
  }

  @Test
  void qcow2Compat010() throws Exception {
    Path out = qcow2("v2.qcow2", new Qcow2Options("0.10", false, 1));
    assertQcow2Valid(out);
    assertThat(Tools.run("qemu-img", "info", out.toString()).output()).contains("compat: 0.10");
  }

  @Test
  void compressedQcow2IsValidSmallerAndTheSameForAnyThreadCount() throws Exception {
    Path one = qcow2("c1.qcow2", new Qcow2Options("1.1", true, 1));
    Path two = qcow2("c2.qcow2", new Qcow2Options("1.1", true, 2));
    assertQcow2Valid(two);
    assertThat(Files.mismatch(one, two)).isEqualTo(-1L);
    assertThat(Files.size(two)).isLessThan(Files.size(qcow2("n.qcow2",
        new Qcow2Options("1.1", false, 1))));
  }

  @Test
  void zeroRegionsAreNotStored() throws Exception {
    Path out = qcow2("z.qcow2", new Qcow2Options("1.1", false, 1));
    // data: 3 MiB random + ~2 MiB text + the tail cluster; the 4 MiB of zeros are absent
    assertThat(Files.size(out)).isLessThan(7L << 20);
  }

  private static Path vhd(String name, boolean dynamic) throws Exception {
    Path out = dir.resolve(name);
    try (RawImage in = RawImage.open(source);
        VhdWriter w = VhdWriter.create(out, in.virtualSize(), new VhdOptions(dynamic,
            Instant.parse("2026-01-01T00:00:00Z"), new UUID(1, 2)))) {
      Converter.convert(in, w, done -> { });
    }
    return out;
  }

  @Test
  void dynamicVhd() throws Exception {
    Path out = vhd("d.vhd", true);
    Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "vpc",
        source.toString(), out.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    // exact size (rounded up to a sector): qemu trusts current_size for creator "tap"
    assertThat(Tools.run("qemu-img", "info", "-f", "vpc", out.toString()).output())
        .contains("(67121664 bytes)");
    assertThat(FormatRegistry.standard().detect(out)).isEqualTo(ImageFormat.VHD);
    assertThat(Files.size(out)).isLessThan(16L << 20);
    assertVhdiinfoAccepts(out, "Dynamic");
  }

  @Test
  void fixedVhd() throws Exception {
    Path out = vhd("f.vhd", false);
    Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "vpc",
        source.toString(), out.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    assertThat(Files.size(out)).isEqualTo(67121664L + 512);
    assertVhdiinfoAccepts(out, "Fixed");
  }

  private static Path vhdx(String name) throws Exception {
    return vhdx(name, source);
  }

  private static Path vhdx(String name, Path from) throws Exception {
    Path out = dir.resolve(name);
    try (RawImage in = RawImage.open(from);
        var w = dev.kiln.formats.vhdx.VhdxWriter.create(out, in.virtualSize(),
            new dev.kiln.formats.vhdx.VhdxOptions(32 << 20, new UUID(3, 4)))) {
      Converter.convert(in, w, done -> { });
    }
    return out;
  }

  @Test
  void vhdxIsReadByQemuAnd7zipAndDeterministic() throws Exception {
    Path out = vhdx("x.vhdx");
    Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "vhdx",
        source.toString(), out.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    Tools.Result check = Tools.run("qemu-img", "check", "-f", "vhdx", out.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    // the exact size, as qemu-img keeps it (MS-VHDX: a multiple of the logical sector)
    Tools.Result info = Tools.run("qemu-img", "info", "--output=json", out.toString());
    long exact = (Files.size(source) + 511) / 512 * 512;
    assertThat(info.output()).contains("\"virtual-size\": " + exact + ",");
    // 7-Zip reads VHDX sizes of an even number of sectors only: judge it on such a disk
    Path even = TestDisks.mixed(dir, "even.raw", 64L << 20, 43);
    Path evenVhdx = vhdx("even.vhdx", even);
    Tools.Result t = Tools.run("7zz", "t", evenVhdx.toString());
    assertThat(t.output()).as(t.output()).contains("Everything is Ok");
    Path unpacked = dir.resolve("x.vhdx.raw");
    Process p = new ProcessBuilder("7zz", "x", "-so", evenVhdx.toString())
        .redirectOutput(unpacked.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor()).isZero();
    Tools.Result cmp7 = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw",
        even.toString(), unpacked.toString());
    assertThat(cmp7.exit()).as("7-Zip's reading: " + cmp7.output()).isZero();
    assertThat(Files.mismatch(out, vhdx("y.vhdx"))).isEqualTo(-1L);
    assertThat(FormatRegistry.standard().inspect(out).problems()).isEmpty();
    assertVhdiinfoAccepts(out, "Dynamic");
    // two 32 MiB blocks are stored, but only their ~5 MiB of data (and ~1 MiB of metadata)
    // reach the disk: the zero parts are holes
    assertThat(RawImage.allocatedBytes(out)).as("bytes allocated to the VHDX file")
        .isLessThan(12L << 20);
  }

  @Test
  void vhdOutputIsDeterministicWhenPinned() throws Exception {
    assertThat(Files.mismatch(vhd("a.vhd", true), vhd("b.vhd", true))).isEqualTo(-1L);
  }

  @Test
  void sparseSourceLargerThan4GiB() throws Exception {
    Path big = dir.resolve("big.raw");
    try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(5L << 30);
    }
    TestDisks.put(big, (4L << 30) + (512L << 20) + 4097, 300_000, 7);
    Path out = dir.resolve("big.qcow2");
    try (RawImage in = RawImage.open(big);
        Qcow2Writer w = Qcow2Writer.create(out, in.virtualSize(), Qcow2Options.defaults())) {
      // SEEK_DATA finds the one data run (filesystem blocks around it) and the rest are holes
      assertThat(in.dataExtents()).singleElement().satisfies(e -> {
        assertThat(e.offset()).isLessThanOrEqualTo((4L << 30) + (512L << 20) + 4097);
        assertThat(e.length()).isLessThan(1L << 20);
      });
      Converter.convert(in, w, done -> { });
    }
    Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
        big.toString(), out.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    assertThat(Files.size(out)).isLessThan(2L << 20);
  }

  @Test
  void kilnReadsQcow2WrittenByQemuIncludingCompressedClusters() throws Exception {
    for (String flag : new String[] {"-c", "-W"}) {
      Path q = dir.resolve("qemu" + flag + ".qcow2");
      Tools.Result r = Tools.run("qemu-img", "convert", flag, "-f", "raw", "-O", "qcow2",
          source.toString(), q.toString());
      assertThat(r.exit()).as(r.output()).isZero();
      Path back = dir.resolve("back" + flag + ".raw");
      try (DiskImage in = FormatRegistry.standard().open(q);
          var w = dev.kiln.formats.raw.RawWriter.create(back, in.virtualSize())) {
        assertThat(in.format()).isEqualTo(ImageFormat.QCOW2);
        Converter.convert(in, w, done -> { });
      }
      Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw",
          source.toString(), back.toString());
      assertThat(cmp.exit()).as("round trip of qemu's %s output: %s", flag, cmp.output())
          .isZero();
    }
  }
}
