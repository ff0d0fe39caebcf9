package dev.kiln.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** Helpers the codecs' {@link FormatCodec#inspect} share. */
public final class Inspection {
  private Inspection() {}

  /** Follows every data extent once; a format error while reading is the one problem. */
  public static List<String> readEveryExtent(DiskImage image) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    try {
      for (Extent e : image.dataExtents()) {
        for (long pos = e.offset(); pos < e.end(); pos += buf.capacity()) {
          buf.clear().limit((int) Math.min(buf.capacity(), e.end() - pos));
          image.read(pos, buf);
        }
      }
      return List.of();
    } catch (FormatException ex) {
      return List.of(ex.getMessage());
    }
  }

  /** The report of a file whose header could not be read: the error is its one problem. */
  public static ImageReport unreadable(ImageFormat format, long allocated, List<String> details,
      FormatException e) {
    return new ImageReport(format, -1, allocated, details, List.of(e.getMessage()));
  }
}
