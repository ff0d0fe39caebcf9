package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kiln convert} from raw, qcow2 and VHDX sources (the last two written by qemu-img) to
 * every target, each artifact
 * unpacked by an independent tool and compared with qemu-img; {@code kiln inspect} on sound
 * and on corrupt images.
 */
@Tag("validator")
class ConvertAndInspectTest {
  @TempDir
  static Path dir;
  static Path raw;
  static Path qcow2;
  static Path vhdx;
  static Path vmdk;

  @BeforeAll
  static void sources() throws Exception {
    raw = dir.resolve("src.raw");
    Random random = new Random(5);
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength((48L << 20) + 1536);
      byte[] data = new byte[3 << 20];
      random.nextBytes(data);
      f.seek(5L << 20);
      f.write(data);
      f.seek(30L << 20);
      f.write("text ".repeat(200_000).getBytes(StandardCharsets.US_ASCII));
    }
    qcow2 = dir.resolve("src.qcow2");
    run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), qcow2.toString());
    vhdx = dir.resolve("src.vhdx");
    run("qemu-img", "convert", "-f", "raw", "-O", "vhdx", raw.toString(), vhdx.toString());
    vmdk = dir.resolve("src.vmdk");
    run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized",
        raw.toString(), vmdk.toString());
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  /** Unpacks an artifact with an independent tool; returns the image file. */
  static Path unpack(Path artifact) throws Exception {
    String name = artifact.getFileName().toString();
    if (!name.matches(".*\\.(bz2|gz|zip|xz)")) {
      return artifact;
    }
    Path out = dir.resolve(name.replaceAll("\\.(bz2|gz|zip|xz)$", "") + ".unpacked");
    Process p = new ProcessBuilder("7zz", "x", "-so", artifact.toString())
        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor()).isZero();
    return out;
  }

  /** What {@code kiln convert --checksum} prints, judged by coreutils' sha256sum & co. */
  @ParameterizedTest
  @ValueSource(strings = {"c.qcow2", "c.vhd.bz2"})
  void checksumChoiceComputesOnlyWhatIsAskedAndMatchesCoreutils(String target)
      throws Exception {
    Path none = dir.resolve("none-" + target);
    CliTest.Run r = CliTest.kiln("convert", raw.toString(), none.toString(), "--checksum",
        "none");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("SHA-256").doesNotContain("MD5");
    Path all = dir.resolve("all-" + target);
    r = CliTest.kiln("convert", raw.toString(), all.toString(), "--checksum", "all");
    assertThat(r.exit()).as(r.err()).isZero();
    for (String[] tool : new String[][] {{"MD5", "md5sum"}, {"SHA-256", "sha256sum"},
        {"SHA-512", "sha512sum"}}) {
      String hex = run(tool[1], all.toString()).split(" ")[0];
      assertThat(r.out()).contains("  " + tool[0] + " " + hex);
    }
    Path md5 = dir.resolve("md5-" + target);
    r = CliTest.kiln("convert", raw.toString(), md5.toString(), "--checksum", "md5");
    assertThat(r.out()).contains("  MD5 " + run("md5sum", md5.toString()).split(" ")[0])
        .doesNotContain("SHA-");
    r = CliTest.kiln("convert", raw.toString(), dir.resolve("bad-" + target).toString(),
        "--checksum", "crc32");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("kiln convert: --checksum must be sha256, md5, "
        + "sha512, all or none, not crc32");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.qcow2", "x.qcow2.bz2", "x.vhd", "x.vhd.bz2", "x.vhd.zip",
      "x.raw.bz2", "x.raw.gz", "x.img", "x.vhdx", "x.vhdx.zip", "x.vmdk", "x.ova", "x.qcow2.xz"})
  void convertsFromRawAndFromQcow2ToEveryTarget(String target) throws Exception {
    for (Path source : List.of(raw, qcow2, vhdx, vmdk)) {
      Path dest = dir.resolve(source.getFileName() + "-" + target);
      CliTest.Run r = CliTest.kiln("convert", source.toString(), dest.toString(), "--threads",
          "2");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("SHA-256 ").contains(dest.toString());
      Path image = unpack(dest);
      String fmt = target.contains(".vhdx") ? "vhdx" : target.contains(".vhd") ? "vpc"
          : target.contains(".qcow2") ? "qcow2" : target.contains(".vmdk") ? "vmdk" : "raw";
      if (target.endsWith(".ova")) { // the disk inside, taken out by GNU tar
        Path x = Files.createTempDirectory(dir, "ova");
        run("tar", "-C", x.toString(), "-xf", dest.toString());
        image = x.resolve(source.getFileName() + "-x-disk1.vmdk");
        fmt = "vmdk";
      }
      run("qemu-img", "compare", "-f", "raw", "-F", fmt, raw.toString(), image.toString());
      if (fmt.equals("qcow2")) {
        assertThat(run("qemu-img", "check", "-f", "qcow2", image.toString()))
            .contains("No errors were found");
      }
      assertThat(CliTest.kiln("inspect", image.toString()).exit()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--compress", "--qcow2-compat=0.10", "--vhd-subformat=fixed"})
  void optionsAreHonoured(String option) throws Exception {
    String target = option.startsWith("--vhd") ? "o.vhd" : "o" + option.length() + ".qcow2";
    Path dest = dir.resolve(target);
    CliTest.Run r = CliTest.kiln("convert", raw.toString(), dest.toString(), option);
    assertThat(r.exit()).as(r.err()).isZero();
    String info = run("qemu-img", "info", dest.toString());
    switch (option) {
      case "--qcow2-compat=0.10" -> assertThat(info).contains("compat: 0.10");
      case "--vhd-subformat=fixed" -> assertThat(CliTest.kiln("inspect", dest.toString()).out())
          .contains("subformat=fixed");
      default -> assertThat(Files.size(dest)).isLessThan(Files.size(dir.resolve(
          "src.raw-x.qcow2")));
    }
    String fmt = option.startsWith("--vhd") ? "vpc" : "qcow2";
    run("qemu-img", "compare", "-f", "raw", "-F", fmt, raw.toString(), dest.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"qcow2-l2-loop", "qcow2-leaked-cluster", "qcow2-truncated",
      "vhd-overlapping-blocks", "vhd-bad-footer-checksum"})
  void inspectReportsCorruptionWithExitCode1(String corpus) throws Exception {
    Path image = dir.resolve(corpus);
    try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(
        "../formats/src/test/resources/corpus", corpus + ".gz")))) {
      Files.copy(in, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    CliTest.Run r = CliTest.kiln("inspect", image.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("problem(s):");
    CliTest.Run json = CliTest.kiln("inspect", "--json", image.toString());
    assertThat(json.out()).contains("\"sound\" : false");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x.qed", "x.tar.bz2"})
  void unknownTargetsAreUsageErrors(String target) {
    CliTest.Run r = CliTest.kiln("convert", raw.toString(), dir.resolve(target).toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("cannot tell the format");
  }
}
