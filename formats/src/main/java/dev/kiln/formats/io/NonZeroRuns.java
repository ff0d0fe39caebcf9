package dev.kiln.formats.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Finds the stretches of a buffer that hold data: the buffer is examined in pieces, and runs of
 * non-zero pieces are reported, joined across zero gaps shorter than a given length (one write
 * is cheaper than several small ones around a short hole).
 */
public final class NonZeroRuns {
  /** Receives one run, as offsets relative to the buffer's position. */
  @FunctionalInterface
  public interface Sink {
    void run(int start, int end) throws IOException;
  }

  private NonZeroRuns() {}

  /**
   * Reports the runs of {@code data}'s non-zero {@code piece}-sized pieces (the last one may be
   * shorter) to {@code sink}, in order; gaps of zero pieces shorter than {@code smallestGap}
   * stay inside a run. With {@code smallestGap <= piece} every zero piece ends a run.
   */
  public static void forEach(ByteBuffer data, int piece, int smallestGap, Sink sink)
      throws IOException {
    int base = data.position();
    int length = data.remaining();
    int runStart = -1; // the current run, [runStart, runEnd)
    int runEnd = -1;
    for (int off = 0; off < length; off += piece) {
      int n = Math.min(piece, length - off);
      if (Converter.isZero(data.slice(base + off, n))) {
        continue;
      }
      if (runStart >= 0 && off - runEnd >= smallestGap) {
        sink.run(runStart, runEnd);
        runStart = -1;
      }
      if (runStart < 0) {
        runStart = off;
      }
      runEnd = off + n;
    }
    if (runStart >= 0) {
      sink.run(runStart, runEnd);
    }
  }
}
