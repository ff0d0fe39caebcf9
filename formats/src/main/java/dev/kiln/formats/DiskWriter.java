package dev.kiln.formats;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes one disk image, grain by grain, in increasing guest offset. Grains never handed over
 * read as zero. The output appears under its final name only when {@link #finish()} succeeds;
 * {@link #close()} without {@code finish()} removes the partial file.
 */
public interface DiskWriter extends Closeable {
  /** The unit the writer allocates in (a qcow2 cluster, a VHD block), in bytes. */
  int grainSize();

  /**
   * Writes the grain starting at guest offset {@code offset} (a multiple of {@link #grainSize()}).
   * {@code data} holds {@code grainSize()} bytes, fewer only for the disk's last grain.
   */
  void writeGrain(long offset, ByteBuffer data) throws IOException;

  /**
   * Writes consecutive non-zero grains starting at {@code offset}; {@code data} holds a whole
   * number of grains (the disk's last grain may be short). Writers that can store a run in one
   * write override this; by default it is split into {@link #writeGrain} calls.
   */
  default void writeRun(long offset, ByteBuffer data) throws IOException {
    int grain = grainSize();
    for (int at = 0; at < data.remaining(); at += grain) {
      int n = Math.min(grain, data.remaining() - at);
      writeGrain(offset + at, data.slice(data.position() + at, n));
    }
  }

  /** Writes the metadata and moves the finished file into place. */
  void finish() throws IOException;
}
