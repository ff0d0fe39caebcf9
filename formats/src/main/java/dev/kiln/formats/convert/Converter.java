package dev.kiln.formats.convert;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.Extent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Copies a disk image into a writer: only the source's data extents are read, in chunks of up
 * to 8 MiB, and grains that are all zero are not written. A reader thread fills one of two
 * direct buffers while the caller's thread writes the other, so reading and writing overlap
 * (qemu-img overlaps them too). Memory use is the two chunks, whatever the disk's size.
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
    List<long[]> pieces = pieces(source.dataExtents(), grain, size, chunk);
    ByteBuffer[] buffers = {ByteBuffer.allocateDirect(chunk), ByteBuffer.allocateDirect(chunk)};
    ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "kiln-convert-read");
      t.setDaemon(true);
      return t;
    });
    Future<?> pending = null;
    try {
      if (!pieces.isEmpty()) {
        pending = reader.submit(read(source, pieces.get(0), buffers[0]));
      }
      for (int i = 0; i < pieces.size(); i++) {
        await(pending);
        pending = i + 1 < pieces.size()
            ? reader.submit(read(source, pieces.get(i + 1), buffers[(i + 1) & 1])) : null;
        long pos = pieces.get(i)[0];
        writeNonZeroRuns(buffers[i & 1], pos, grain, writer);
        progress.accept(Math.min(pos + buffers[i & 1].limit(), size));
      }
    } finally {
      // no interrupt: an interrupted FileChannel read closes the source's channel. A read in
      // flight (only after a failure) ends before the caller closes the source.
      reader.shutdown();
      if (pending != null) {
        try {
          reader.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    writer.finish();
    progress.accept(size);
  }

  /** The (position, length) chunks that cover the data extents, grain aligned. */
  private static List<long[]> pieces(List<Extent> extents, int grain, long size, int chunk) {
    List<long[]> pieces = new ArrayList<>();
    long next = 0; // first byte not yet covered (grain aligned)
    for (Extent e : extents) {
      long pos = Math.max(next, e.offset() / grain * grain);
      long end = Math.min(size, e.end());
      while (pos < end) {
        long len = Math.min(Math.min(chunk, roundUp(end, grain) - pos), size - pos);
        pieces.add(new long[] {pos, len});
        pos += len;
        next = roundUp(pos, grain);
      }
    }
    return pieces;
  }

  private static Callable<Void> read(DiskImage source, long[] piece, ByteBuffer buffer) {
    return () -> {
      buffer.clear().limit((int) piece[1]);
      source.read(piece[0], buffer);
      return null;
    };
  }

  private static void await(Future<?> read) throws IOException {
    try {
      read.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while converting");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("reading the source failed", cause);
    }
  }

  /** Writes the runs of non-zero grains of {@code buffer[0..limit)}, which holds pos onwards. */
  private static void writeNonZeroRuns(ByteBuffer buffer, long pos, int grain, DiskWriter writer)
      throws IOException {
    int len = buffer.limit();
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
