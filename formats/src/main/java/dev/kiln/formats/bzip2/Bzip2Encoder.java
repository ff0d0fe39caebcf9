package dev.kiln.formats.bzip2;

import static dev.kiln.formats.bzip2.Bzip2Constants.BLOCK_SIZE_100K;
import static dev.kiln.formats.bzip2.Bzip2Constants.END_OF_STREAM_MAGIC;
import static dev.kiln.formats.bzip2.Bzip2Constants.STREAM_MAGIC;

/**
 * A bzip2 compressor, written for speed: rotations are sorted in linear time by suffix
 * sorting (see {@link BurrowsWheeler}) instead of bzip2's comparison sort with its fallback,
 * and each block's encoder keeps its arrays between blocks. Output is a standard
 * {@code BZh9} stream that bzip2, lbzip2, 7-Zip and Commons Compress read.
 *
 * <p>One instance compresses one thing at a time; use one per thread.
 */
public final class Bzip2Encoder {
  private final BlockEncoder blocks = new BlockEncoder();
  private final BitWriter out = new BitWriter(1 << 20);

  /** Compresses {@code data[offset..offset+length)} into one complete bzip2 stream. */
  public byte[] compress(byte[] data, int offset, int length) {
    byte[] stream = new byte[encode(data, offset, length)];
    copyTo(stream);
    return stream;
  }

  /**
   * Compresses {@code data[offset..offset+length)} into one complete bzip2 stream held by this
   * encoder until the next call; returns its length. With {@link #copyTo} a caller can reuse
   * its own output arrays.
   */
  public int encode(byte[] data, int offset, int length) {
    out.reset();
    out.write(8, STREAM_MAGIC[0]);
    out.write(8, STREAM_MAGIC[1]);
    out.write(8, STREAM_MAGIC[2]);
    out.write(8, '0' + BLOCK_SIZE_100K);
    int combinedCrc = 0;
    int end = offset + length;
    for (int pos = offset; pos < end; ) {
      pos += blocks.encode(data, pos, end, out);
      int blockCrc = ~blocks.blockCrc();
      combinedCrc = ((combinedCrc << 1) | (combinedCrc >>> 31)) ^ blockCrc;
    }
    out.writeLong(48, END_OF_STREAM_MAGIC);
    out.write(32, combinedCrc);
    return out.finish();
  }

  /** Copies the stream the last {@link #encode} made to the start of {@code destination}. */
  public void copyTo(byte[] destination) {
    out.copyTo(destination);
  }

  /** Compresses all of {@code data}. */
  public byte[] compress(byte[] data) {
    return compress(data, 0, data.length);
  }
}
