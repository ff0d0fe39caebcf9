package dev.kiln.core.internal.pipeline;

import dev.kiln.formats.DiskWriter;
import java.nio.ByteBuffer;

/**
 * A scan of the export's runs of guest data for patterns up to {@link #overlap()} bytes long:
 * each run is searched whole, and where a run continues the previous one, the seam between
 * them (the previous run's last bytes and this run's first) is searched for matches that start
 * before it and end after it, so a pattern split across two runs is seen once. Subclasses
 * search; this class keeps the seam.
 */
abstract class SeamScan implements DiskWriter {
  private final byte[] tail;
  private int tailLength;
  private long tailEnd = -1;

  /** @param overlap the longest match less one byte: how much of a run's end is kept */
  SeamScan(int overlap) {
    this.tail = new byte[Math.max(0, overlap)];
  }

  final int overlap() {
    return tail.length;
  }

  /**
   * Reports matches in {@code buf} from its position on (guest offset {@code offset}); with a
   * {@code seam} of 0 or more, only those that start before it and end after it.
   */
  abstract void search(ByteBuffer buf, long offset, int seam);

  /** Whether nothing more is worth searching (e.g. enough findings). */
  boolean done() {
    return false;
  }

  /** The byte just before guest {@code offset} when the previous run ended there, else 0. */
  final byte byteBefore(long offset) {
    return tailEnd == offset && tailLength > 0 ? tail[tailLength - 1] : 0;
  }

  @Override
  public int grainSize() {
    return 512;
  }

  @Override
  public final void writeGrain(long offset, ByteBuffer data) {
    writeRun(offset, data);
  }

  @Override
  public final void writeRun(long offset, ByteBuffer data) {
    if (done()) {
      return;
    }
    ByteBuffer d = data.duplicate();
    int n = d.remaining();
    if (tailEnd == offset && tailLength > 0) {
      int head = Math.min(tail.length, n);
      byte[] seam = new byte[tailLength + head];
      System.arraycopy(tail, 0, seam, 0, tailLength);
      d.get(d.position(), seam, tailLength, head);
      search(ByteBuffer.wrap(seam), offset - tailLength, tailLength);
    }
    search(d, offset, -1);
    int keep = Math.min(tail.length, n);
    if (keep > 0) {
      d.get(d.position() + n - keep, tail, 0, keep);
    }
    tailLength = keep;
    tailEnd = offset + n;
  }

  @Override
  public void finish() {}

  @Override
  public void close() {}
}
