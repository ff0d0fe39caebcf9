package dev.kiln.formats.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
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
    List<String> problems = new ArrayList<>();
    long fileSize = ch.size();
    VhdFooter f = image.footer();
    VhdGeometry spec = VhdGeometry.of(f.currentSize());
    if (!f.geometry().equals(spec) && !(f.geometry().cylinders() == 65535
        && f.geometry().heads() == 16 && f.geometry().sectorsPerTrack() == 255)) {
      problems.add("geometry " + f.geometry() + " is not the specification's " + spec
          + " for this size");
    }
    if (!image.isDynamic()) {
      return problems;
    }
    ByteBuffer copy = ByteBuffer.allocate(512);
    ch.read(copy, 0);
    ByteBuffer end = ByteBuffer.allocate(512);
    ch.read(end, fileSize - 512);
    if (!Arrays.equals(copy.array(), end.array())) {
      problems.add("the footer copy at offset 0 differs from the footer at offset "
          + (fileSize - 512));
    }
    int[] bat = image.bat();
    long metadataEnd = image.batOffset() + VhdImage.align512(4L * bat.length);
    long blockBytes = image.bitmapBytes() + (long) image.blockSize();
    long[][] blocks = new long[bat.length][];
    int n = 0;
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
      } else {
        blocks[n++] = new long[] {at, i};
      }
    }
    long[][] sorted = Arrays.copyOf(blocks, n);
    Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
    for (int k = 1; k < sorted.length; k++) {
      if (sorted[k - 1][0] + blockBytes > sorted[k][0]) {
        problems.add("blocks " + sorted[k - 1][1] + " and " + sorted[k][1] + " overlap at "
            + sorted[k][0]);
      }
    }
    return problems;
  }
}
