package dev.kiln.formats.fuzz;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a fuzzer's bytes into an image file. Disk formats put their structures megabytes apart
 * (a VHDX's BAT sits at 3 MiB), so seeds are kept sparse: an input starting with {@code KSPR}
 * is a file length and a list of (offset, length, bytes) chunks, all little-endian; the rest of
 * the file is zeros (a hole). Any other input is the file itself. Every mutation of the chunk
 * list still gives a file, of at most {@link #MAX_LENGTH} bytes, so the fuzzer moves tables and
 * lengths around as readily as it flips bytes. {@code scripts/make-fuzz-seeds.sh} writes seeds
 * in this form from images that qemu-img, xorriso and Python's tarfile made.
 */
public final class FuzzInput {
  static final int MAGIC = 0x5250534b; // "KSPR" little-endian
  /** Large enough for a VHDX with its BAT and a few blocks; small enough to write quickly. */
  static final long MAX_LENGTH = 64L << 20;

  private FuzzInput() {}

  /** Writes the image that {@code data} describes to {@code file}. */
  public static Path write(byte[] data, Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (data.length < 8 || b.getInt(0) != MAGIC) {
      Files.write(file, data);
      return file;
    }
    long length = Math.min(Integer.toUnsignedLong(b.getInt(4)), MAX_LENGTH);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(0);
      f.setLength(length);
      b.position(8);
      while (b.remaining() >= 6) {
        long offset = Integer.toUnsignedLong(b.getInt());
        int len = Math.min(Short.toUnsignedInt(b.getShort()), b.remaining());
        if (offset + len <= length) {
          f.seek(offset);
          f.write(data, b.position(), len);
        }
        b.position(b.position() + len);
      }
    }
    return file;
  }
}
