package dev.kiln.formats.qcow2;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Deflates one cluster the way qemu can inflate it: raw deflate that never refers back more than
 * 4 KiB, because qemu inflates with {@code windowBits = -12}. The JDK's Deflater cannot shrink
 * its window, so the input is fed in 4 KiB pieces with a full flush between them, which resets
 * the dictionary; no back-reference can then cross a piece, so none is longer than 4 KiB.
 */
final class ClusterCompressor {
  static final int WINDOW = 4096;

  private ClusterCompressor() {}

  /** The compressed bytes, or null when they would not be smaller than the cluster. */
  static byte[] compress(ByteBuffer cluster, int clusterSize) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      byte[] in = new byte[cluster.remaining()];
      cluster.duplicate().get(in);
      byte[] out = new byte[clusterSize + 64];
      int written = 0;
      for (int off = 0; off < in.length; off += WINDOW) {
        int len = Math.min(WINDOW, in.length - off);
        deflater.setInput(in, off, len);
        boolean last = off + len >= in.length;
        if (last) {
          deflater.finish();
        }
        if (last) {
          while (!deflater.finished()) {
            written += deflater.deflate(out, written, out.length - written, Deflater.NO_FLUSH);
            if (written >= clusterSize) {
              return null; // incompressible: store normally
            }
          }
        } else {
          int avail;
          int n;
          do { // a full flush may need more than one call when the output space runs short
            avail = out.length - written;
            n = deflater.deflate(out, written, avail, Deflater.FULL_FLUSH);
            written += n;
            if (written >= clusterSize) {
              return null;
            }
          } while (n == avail);
        }
      }
      return Arrays.copyOf(out, written);
    } finally {
      deflater.end();
    }
  }
}
