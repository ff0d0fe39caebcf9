package dev.kiln.formats.convert;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * Copies a disk image into a writer: only the source's data extents are read, in chunks of up
 * to 8 MiB into one direct buffer, and grains that are all zero are not written. Memory use is
 * the chunk, whatever the disk's size.
 */
public final class Converter {
  static final int CHUNK = 8 << 20;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK);

  private Converter() {}

  /**
   * Converts {@code source} into {@code writer} and finishes it.
   *
   * @param progress receives the number of guest bytes examined so far
   */
  public static void convert(DiskImage source, DiskWriter writer, LongConsumer progress)
      throws IOException {
    int grain = writer.grainSize();
    long size = source.virtualSize();
    int chunk = Math.max(grain, CHUNK / grain * grain);
    ByteBuffer buffer = ByteBuffer.allocateDirect(chunk);
    long next = 0; // first byte not yet handled (grain aligned)
    for (Extent e : source.dataExtents()) {
      long pos = Math.max(next, e.offset() / grain * grain);
      long end = Math.min(size, e.end());
      while (pos < end) {
        int len = (int) Math.min(chunk, roundUp(end, grain) - pos);
        len = (int) Math.min(len, size - pos);
        buffer.clear().limit(len);
        source.read(pos, buffer);
        int runStart = -1; // first grain of the current run of non-zero grains
        for (int g = 0; g < len; g += grain) {
          int n = Math.min(grain, len - g);
          boolean zero = isZero(buffer.slice(g, n));
          if (!zero && runStart < 0) {
            runStart = g;
          } else if (zero && runStart >= 0) {
            writer.writeRun(pos + runStart, buffer.slice(runStart, g - runStart));
            runStart = -1;
          }
        }
        if (runStart >= 0) {
          writer.writeRun(pos + runStart, buffer.slice(runStart, len - runStart));
        }
        pos += len;
        next = roundUp(pos, grain);
        progress.accept(Math.min(pos, size));
      }
    }
    writer.finish();
    progress.accept(size);
  }

  private static long roundUp(long n, int unit) {
    return (n + unit - 1) / unit * unit;
  }

  /** Whether every byte between position and limit is zero (position unchanged). */
  public static boolean isZero(ByteBuffer b) {
    int pos = b.position();
    int left = b.remaining();
    while (left > 0) {
      int n = Math.min(left, ZEROS.capacity());
      // mismatch is vectorised by the JDK: far faster than a loop over longs
      if (b.slice(pos, n).mismatch(ZEROS.slice(0, n)) != -1) {
        return false;
      }
      pos += n;
      left -= n;
    }
    return true;
  }
}
