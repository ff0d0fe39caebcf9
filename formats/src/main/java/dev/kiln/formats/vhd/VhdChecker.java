package dev.kiln.formats.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.List;

/**
 * Structural checks of an opened VHD beyond what reading needs: the footer copy of a dynamic
 * disk, every BAT entry inside the file and clear of the metadata, no two blocks overlapping,
 * and the geometry XenServer's {@code vhd-util check} expects.
 */
public final class VhdChecker {
  private VhdChecker() {}

  public static List<String> check(VhdImage image, FileChannel ch) throws IOException {
    dev.kiln.formats.ProblemList problems = new dev.kiln.formats.ProblemList();
    long fileSize = ch.size();
    VhdFooter f = image.footer();
    VhdGeometry spec = VhdGeometry.of(f.currentSize());
    if (!f.geometry().equals(spec) && !(f.geometry().cylinders() == 65535
        && f.geometry().heads() == 16 && f.geometry().sectorsPerTrack() == 255)) {
      problems.add("geometry " + f.geometry() + " is not the specification's " + spec
          + " for this size");
    }
    if (!image.isDynamic()) {
      return problems.toList();
    }
    ByteBuffer copy = ByteBuffer.allocate(512);
    dev.kiln.formats.FileRegions.readFully(ch, copy, 0);
    ByteBuffer end = ByteBuffer.allocate(512);
    dev.kiln.formats.FileRegions.readFully(ch, end, fileSize - 512);
    if (!Arrays.equals(copy.array(), end.array())) {
      problems.add("the footer copy at offset 0 differs from the footer at offset "
          + (fileSize - 512));
    }
    int[] bat = image.bat();
    long metadataEnd = image.batOffset() + VhdImage.align512(4L * bat.length);
    long blockBytes = image.bitmapBytes() + (long) image.blockSize();
    // the reader refuses shared or overlapping blocks on open; here only their placement
    for (int i = 0; i < bat.length; i++) {
      if (bat[i] == -1) {
        continue;
      }
      long at = Integer.toUnsignedLong(bat[i]) * 512;
      long entryAt = image.batOffset() + 4L * i;
      if (at + blockBytes > fileSize - 512) {
        problems.add("BAT entry " + i + " (offset " + entryAt + ") points to " + at
            + ", past the end of the data");
      } else if (at < metadataEnd) {
        problems.add("BAT entry " + i + " (offset " + entryAt + ") points to " + at
            + ", inside the header or BAT");
      }
    }
    return problems.toList();
  }
}
