package dev.kiln.formats.convert;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * Copies a disk image into a writer: only the source's data extents are read, grain by grain,
 * and grains that are all zero are not written. Memory use is one grain.
 */
public final class Converter {
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
    ByteBuffer buffer = ByteBuffer.allocate(grain);
    long next = 0; // first grain not yet handled
    for (Extent e : source.dataExtents()) {
      long first = Math.max(next, e.offset() / grain * grain);
      for (long g = first; g < e.end() && g < size; g += grain) {
        int len = (int) Math.min(grain, size - g);
        buffer.clear().limit(len);
        source.read(g, buffer);
        buffer.flip();
        if (!isZero(buffer)) {
          writer.writeGrain(g, buffer);
        }
        next = g + grain;
        progress.accept(Math.min(next, size));
      }
    }
    writer.finish();
    progress.accept(size);
  }

  /** Whether every byte between position and limit is zero (position unchanged). */
  static boolean isZero(ByteBuffer b) {
    int i = b.position();
    int end = b.limit();
    for (; i + 8 <= end; i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
