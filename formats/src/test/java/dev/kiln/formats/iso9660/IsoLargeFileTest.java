package dev.kiln.formats.iso9660;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.formats.Tools;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file over 4 GiB stored as a multi-extent file, read back by xorriso, 7-Zip and Kiln. */
@Tag("validator")
class IsoLargeFileTest {
  @TempDir
  Path dir;

  @Test
  void fileLargerThan4GiBIsMultiExtent() throws Exception {
    long size = (4L << 30) + 12345;
    Path big = dir.resolve("big.img");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(size);
      f.seek(size - 5);
      f.write(new byte[] {'T', 'A', 'I', 'L', '!'});
      f.seek(1000);
      f.write(new byte[] {'H', 'E', 'A', 'D'});
    }
    Path iso = dir.resolve("big.iso");
    IsoImageWriter.builder("BIG").timestamp(Instant.parse("2026-01-01T00:00:00Z"))
        .addFile("disk/big.img", big).addFile("small.txt", "x".getBytes()).writeTo(iso);
    Files.delete(big); // disk space: the source is no longer needed
    var ls = Tools.run("xorriso", "-indev", iso.toString(), "-lsl", "/disk");
    assertThat(ls.output()).contains(Long.toString(size));
    var check = Tools.run("xorriso", "-indev", iso.toString(), "-check_media", "--");
    assertThat(check.exit()).as(check.output()).isZero();
    var sz = Tools.run("7zz", "l", iso.toString());
    assertThat(sz.output()).contains(Long.toString(size));
    try (IsoReader r = IsoReader.open(iso)) {
      IsoEntry e = r.find("disk/big.img").orElseThrow();
      assertThat(e.size()).isEqualTo(size);
      assertThat(e.extents()).hasSize(2);
      long lastExtent = e.extents().get(1)[0];
      try (FileChannel ch = FileChannel.open(iso, StandardOpenOption.READ)) {
        ByteBuffer tail = ByteBuffer.allocate(5);
        ch.read(tail, lastExtent * 2048 + e.extents().get(1)[1] - 5);
        assertThat(new String(tail.array())).isEqualTo("TAIL!");
      }
    }
  }
}
