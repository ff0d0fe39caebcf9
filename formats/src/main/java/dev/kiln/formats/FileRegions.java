package dev.kiln.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Positional reads of image structures, shared by every reader: a region is checked against
 * the file's size before it is read, and a file that ends early is a {@link FormatException},
 * never a short buffer.
 */
public final class FileRegions {
  private FileRegions() {}

  /** Fills {@code dst} from {@code pos}. */
  public static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
    while (dst.hasRemaining()) {
      int n = ch.read(dst, pos);
      if (n < 0) {
        throw new FormatException("unexpected end of file", "file", pos);
      }
      pos += n;
    }
  }

  /**
   * The {@code len} bytes at {@code at}, in a buffer of byte order {@code order} positioned at
   * zero.
   *
   * @throws FormatException when the region lies outside a file of {@code fileSize} bytes
   */
  public static ByteBuffer read(FileChannel ch, long at, int len, long fileSize,
      ByteOrder order) throws IOException {
    Bounds.region("offset", at, at, len, fileSize);
    ByteBuffer b = ByteBuffer.allocate(len).order(order);
    readFully(ch, b, at);
    return b.clear();
  }
}
