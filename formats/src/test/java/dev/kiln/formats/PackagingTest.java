package dev.kiln.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.formats.pack.PackagedFile;
import dev.kiln.formats.pack.Packager;
import dev.kiln.formats.pack.Packaging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packaged artifacts judged by 7-Zip, bzip2, gzip, xz and sha256sum. */
@Tag("validator")
class PackagingTest {
  @TempDir
  static Path dir;

  static Path image;

  @BeforeAll
  static void makeImage() throws Exception {
    image = TestDisks.mixed(dir, "disk.img", (24L << 20) + 4321, 9);
  }

  private static PackagedFile pack(Packaging p, int threads, String name) throws Exception {
    Path copy = dir.resolve(name + ".src");
    Files.copy(image, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return new Packager(threads, Instant.parse("2026-01-01T00:00:00Z"))
        .pack(copy, dir.resolve(name), p, done -> { });
  }

  private static void assertDecompressesToImage(PackagedFile f, String... command)
      throws Exception {
    Path out = dir.resolve(f.file().getFileName() + ".out");
    String[] full = java.util.Arrays.copyOf(command, command.length + 1);
    full[command.length] = f.file().toString();
    Process p = new ProcessBuilder(full).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor()).as(String.join(" ", full)).isZero();
    assertThat(Files.mismatch(out, image)).isEqualTo(-1L);
  }

  private static void assertChecksumsMatchSha256sum(PackagedFile f) throws Exception {
    Tools.Result r = Tools.run("sha256sum", f.file().toString());
    assertThat(r.output()).startsWith(f.checksums().get("SHA-256"));
    assertThat(f.size()).isEqualTo(Files.size(f.file()));
    assertThat(f.checksums().get("SHA-512")).hasSize(128);
    assertThat(f.checksums().get("MD5")).hasSize(32);
  }

  @Test
  void bzip2ReadsWithBzip2And7zip() throws Exception {
    PackagedFile f = pack(Packaging.BZIP2, 2, "disk.img.bz2");
    assertDecompressesToImage(f, "bzip2", "-dc");
    assertDecompressesToImage(f, "7zz", "x", "-so");
    assertThat(Tools.run("7zz", "t", f.file().toString()).output()).contains("Everything is Ok");
    assertChecksumsMatchSha256sum(f);
  }

  @Test
  void gzipIsOneMemberReadableByGzipAnd7zip() throws Exception {
    PackagedFile f = pack(Packaging.GZIP, 2, "disk.img.gz");
    assertDecompressesToImage(f, "gzip", "-dc");
    assertDecompressesToImage(f, "7zz", "x", "-so");
    Tools.Result t = Tools.run("gzip", "-tv", f.file().toString());
    assertThat(t.exit()).as(t.output()).isZero();
    assertChecksumsMatchSha256sum(f);
  }

  @Test
  void zipHoldsTheImageUnderItsName() throws Exception {
    PackagedFile f = pack(Packaging.ZIP, 2, "disk.img.zip");
    // the member is named as the user expects: disk.img inside disk.img.zip
    Tools.Result list = Tools.run("7zz", "l", "-slt", f.file().toString());
    assertThat(list.output()).containsPattern("(?m)^Path = disk\\.img$");
    assertDecompressesToImage(f, "7zz", "x", "-so");
    assertThat(Tools.run("7zz", "t", f.file().toString()).output()).contains("Everything is Ok");
    assertChecksumsMatchSha256sum(f);
  }

  @Test
  void xzReadsWithXzAnd7zip() throws Exception {
    PackagedFile f = pack(Packaging.XZ, 2, "disk.img.xz");
    assertDecompressesToImage(f, "xz", "-dc");
    assertDecompressesToImage(f, "7zz", "x", "-so");
    Tools.Result t = Tools.run("xz", "-t", f.file().toString());
    assertThat(t.exit()).as(t.output()).isZero();
    assertChecksumsMatchSha256sum(f);
  }

  @Test
  void outputDoesNotDependOnTheThreadCount() throws Exception {
    for (Packaging p : new Packaging[] {Packaging.BZIP2, Packaging.GZIP, Packaging.XZ}) {
      PackagedFile one = pack(p, 1, "one" + p.suffix());
      PackagedFile three = pack(p, 3, "three" + p.suffix());
      assertThat(Files.mismatch(one.file(), three.file())).as(p.name()).isEqualTo(-1L);
    }
  }

  @Test
  void noPartialFilesRemain() throws Exception {
    pack(Packaging.ZIP, 2, "x.img.zip");
    try (var files = Files.list(dir)) {
      assertThat(files.map(Path::toString)).noneMatch(n -> n.endsWith(".partial"));
    }
  }
}
