package dev.kiln.formats.ova;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.formats.pack.PackagedFile;
import dev.kiln.formats.raw.RawImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OVA judged by xmllint with DMTF's OVF schema, GNU tar, sha256sum, 7-Zip, vmdkinfo and
 * qemu-img.
 */
@Tag("validator")
class OvaWriterTest {
  @TempDir
  static Path dir;
  static Path raw;
  static Path ova;
  static PackagedFile result;

  static String run(Path cwd, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  @BeforeAll
  static void build() throws Exception {
    raw = dir.resolve("disk.raw");
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength(1L << 30); // 1 GiB: capacity in "byte * 2^30"
      byte[] data = new byte[4 << 20];
      new Random(3).nextBytes(data);
      f.seek(100 << 20);
      f.write(data);
      f.seek(700 << 20);
      f.write("template ".repeat(100_000).getBytes(StandardCharsets.US_ASCII));
    }
    ova = dir.resolve("debian-12.ova");
    OvfSpec spec = new OvfSpec("debian-12", GuestOs.forOs("debian-12"), 2, 2048, true,
        "vmx-14", "lsilogic", "build-42", "1.0");
    try (RawImage in = RawImage.open(raw)) {
      result = OvaWriter.write(in, ova, spec, 2, Instant.parse("2026-01-01T00:00:00Z"),
          d -> { });
    }
    Files.createDirectories(dir.resolve("x"));
    run(dir.resolve("x"), "tar", "-xf", ova.toString());
  }

  @Test
  void tarIsUstarWithTheOvfFirstThenTheManifestThenTheDisk() throws Exception {
    String list = run(dir, "tar", "-tf", ova.toString());
    assertThat(list.lines().toList()).containsExactly("debian-12.ovf", "debian-12.mf",
        "debian-12-disk1.vmdk");
    byte[] head = new byte[512];
    try (var in = Files.newInputStream(ova)) {
      in.readNBytes(head, 0, 512);
    }
    assertThat(new String(head, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("ustar\u000000");
    assertThat(run(dir, "7zz", "t", ova.toString())).contains("Everything is Ok");
  }

  @Test
  void descriptorValidatesAgainstTheOvfSchema() throws Exception {
    Path xsd = Path.of("src/test/resources/ovf-xsd/dsp8023_1.1.1.xsd").toAbsolutePath();
    String out = run(dir, "xmllint", "--noout", "--nonet", "--schema", xsd.toString(),
        dir.resolve("x/debian-12.ovf").toString());
    assertThat(out).contains("validates");
    String ovf = Files.readString(dir.resolve("x/debian-12.ovf"));
    assertThat(ovf).contains("vmw:osType=\"debian12_64Guest\"", "ovf:id=\"96\"",
        "ovf:capacity=\"1\"", "ovf:capacityAllocationUnits=\"byte * 2^30\"",
        "vmx-14", "vmw:value=\"efi\"", "build-42",
        "ovf:size=\"" + Files.size(dir.resolve("x/debian-12-disk1.vmdk")) + "\"");
  }

  @Test
  void manifestMatchesSha256sumOfEveryMember() throws Exception {
    String mf = Files.readString(dir.resolve("x/debian-12.mf"));
    for (String name : List.of("debian-12.ovf", "debian-12-disk1.vmdk")) {
      String sum = run(dir.resolve("x"), "sha256sum", name).split(" ")[0];
      assertThat(mf).contains("SHA256(" + name + ")= " + sum);
    }
    assertThat(run(dir, "sha256sum", ova.toString())).startsWith(
        result.checksums().get("SHA-256"));
  }

  @Test
  void diskIsAStreamOptimizedVmdkThatEveryReaderAccepts() throws Exception {
    Path vmdk = dir.resolve("x/debian-12-disk1.vmdk");
    run(dir, "qemu-img", "compare", "-f", "raw", "-F", "vmdk", raw.toString(), vmdk.toString());
    assertThat(run(dir, "7zz", "t", vmdk.toString())).contains("Everything is Ok");
    assertThat(run(dir, "vmdkinfo", vmdk.toString())).contains("Stream optimized",
        "(1073741824 bytes)");
    assertThat(run(dir, "qemu-img", "info", vmdk.toString()))
        .contains("virtual size: 1 GiB (1073741824 bytes)", "create type: streamOptimized");
    byte[] descriptor = new byte[21];
    try (var in = Files.newInputStream(vmdk)) {
      in.skipNBytes(512);
      in.readNBytes(descriptor, 0, 21);
    }
    assertThat(new String(descriptor, StandardCharsets.US_ASCII))
        .isEqualTo("# Disk DescriptorFile");
  }
}
