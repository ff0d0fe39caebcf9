package dev.kiln.formats.qcow2;

import dev.kiln.formats.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.BitSet;
import java.util.List;

/**
 * Walks every qcow2 structure and reports each problem instead of stopping at the first:
 * entries pointing past the end of the file or unaligned, clusters used twice (which is also how
 * a table that points back into the metadata — a loop — shows), and refcounts that disagree with
 * the references found (qemu-img check's "leaks" and "errors"). Work is bounded by the file's
 * size: one bit and one counter per host cluster.
 */
public final class Qcow2Checker {
  private static final long OFFSET_MASK = 0x00fffffffffffe00L;
  private static final long COMPRESSED = 1L << 62;

  private final FileChannel ch;
  private final Qcow2Header h;
  private final long fileSize;
  private final int clusterSize;
  private final long hostClusters;
  private final int[] references;
  private final BitSet used;
  private final dev.kiln.formats.ProblemList problems = new dev.kiln.formats.ProblemList();

  private Qcow2Checker(FileChannel ch, Qcow2Header h) throws IOException {
    this.ch = ch;
    this.h = h;
    this.fileSize = ch.size();
    this.clusterSize = 1 << h.clusterBits();
    this.hostClusters = (fileSize + clusterSize - 1) / clusterSize;
    if (hostClusters > Integer.MAX_VALUE - 8) {
      throw new FormatException("file too large to check", "file", 0);
    }
    this.references = new int[(int) hostClusters];
    this.used = new BitSet((int) hostClusters);
  }

  /** Every problem found in the image whose valid header is {@code header}. */
  public static List<String> check(FileChannel ch, Qcow2Header header) throws IOException {
    Qcow2Checker c = new Qcow2Checker(ch, header);
    c.run();
    return c.problems.toList();
  }

  private void run() throws IOException {
    claim(0, clusterSize, "header");
    claim(h.l1TableOffset(), 8L * h.l1Size(), "L1 table");
    claim(h.refcountTableOffset(),
        (long) clusterSize * Integer.toUnsignedLong(h.refcountTableClusters()),
        "refcount table");
    long[] l1 = readTable(h.l1TableOffset(), h.l1Size());
    int l2Entries = clusterSize / 8;
    for (int i = 0; i < l1.length; i++) {
      long l2 = l1[i] & OFFSET_MASK;
      if (l2 == 0) {
        continue;
      }
      String where = "L1[" + i + "] at offset " + (h.l1TableOffset() + 8L * i);
      if (!aligned(l2) || l2 + clusterSize > fileSize) {
        problem(where + " points to L2 table " + l2 + ", outside the file or unaligned");
        continue;
      }
      if (!claim(l2, clusterSize, "L2 table of " + where)) {
        continue; // overlapping: do not follow, this is how loops are cut
      }
      long[] table = readTable(l2, l2Entries);
      for (int j = 0; j < table.length; j++) {
        long e = table[j];
        String at = "L2 entry at offset " + (l2 + 8L * j);
        if ((e & COMPRESSED) != 0) {
          int x = 62 - (h.clusterBits() - 8);
          long host = e & ((1L << x) - 1);
          long sectors = ((e >>> x) & ((1L << (h.clusterBits() - 8)) - 1)) + 1;
          long len = sectors * 512 - (host & 511);
          if (host + 1 > fileSize || host < clusterSize) {
            problem(at + ": compressed data at " + host + " is outside the file");
          } else {
            len = Math.min(len, fileSize - host);
            countShared(host, len);
            verifyCompressed(host, (int) len, at);
          }
          continue;
        }
        long host = e & OFFSET_MASK;
        if (host == 0) {
          continue;
        }
        if (!aligned(host) || host >= fileSize) {
          problem(at + ": data cluster " + host + " is outside the file or unaligned");
          continue;
        }
        claim(host, clusterSize, "data cluster of " + at);
      }
    }
    checkRefcounts();
  }

  private void checkRefcounts() throws IOException {
    // the header check bounds refcount_table_clusters by the file and MAX_TABLE_BYTES
    long[] table = readTable(h.refcountTableOffset(),
        (int) (Integer.toUnsignedLong(h.refcountTableClusters()) * clusterSize / 8));
    int bits = 1 << h.refcountOrder();
    long perBlock = (long) clusterSize * 8 / bits;
    int[] stored = new int[(int) hostClusters]; // 8 bytes of heap per host cluster in all
    for (int i = 0; i < table.length; i++) {
      long block = table[i] & ~((long) clusterSize - 1) & 0x00ffffffffffffffL;
      if (block == 0) {
        continue;
      }
      if (!aligned(block) || block + clusterSize > fileSize) {
        problem("refcount table entry " + i + " points to " + block + ", outside the file");
        continue;
      }
      if (!claim(block, clusterSize, "refcount block " + i)) {
        continue;
      }
      ByteBuffer b = read(block, clusterSize);
      for (long k = 0; k < perBlock; k++) {
        long cluster = i * perBlock + k;
        if (cluster >= hostClusters) {
          break;
        }
        stored[(int) cluster] = (int) Math.min(Integer.MAX_VALUE, refcount(b, (int) k, bits));
      }
    }
    for (int c = 0; c < hostClusters; c++) {
      long want = references[c];
      if (stored[c] != want) {
        problem((want == 0 ? "leaked cluster " : "refcount error: cluster ") + c + " (offset "
            + (long) c * clusterSize + ") has refcount " + stored[c] + ", referenced " + want
            + " time(s)");
      }
    }
  }

  private static long refcount(ByteBuffer b, int index, int bits) {
    switch (bits) {
      case 8:
        return Byte.toUnsignedLong(b.get(index));
      case 16:
        return Short.toUnsignedLong(b.getShort(index * 2));
      case 32:
        return Integer.toUnsignedLong(b.getInt(index * 4));
      case 64:
        return b.getLong(index * 8);
      default:
        // qemu (qcow2-refcount.c, get_refcount_ro0..ro2) packs sub-byte refcounts from the
        // least significant bit of each byte up
        int bit = index * bits;
        int value = Byte.toUnsignedInt(b.get(bit / 8));
        return (value >> (bit % 8)) & ((1 << bits) - 1);
    }
  }

  /** Inflates one compressed cluster, which must give exactly one cluster of data. */
  private void verifyCompressed(long host, int len, String at) throws IOException {
    ByteBuffer packed = read(host, len);
    java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
    try {
      inflater.setInput(packed.array(), 0, len);
      byte[] out = new byte[clusterSize];
      int done = 0;
      while (done < out.length && !inflater.finished()) {
        int n = inflater.inflate(out, done, out.length - done);
        if (n == 0) {
          break;
        }
        done += n;
      }
      if (done != clusterSize) {
        problem(at + ": compressed cluster at " + host + " inflates to " + done + " bytes, not "
            + clusterSize);
      }
    } catch (java.util.zip.DataFormatException e) {
      problem(at + ": compressed cluster at " + host + " is not valid deflate data ("
          + e.getMessage() + ")");
    } finally {
      inflater.end();
    }
  }

  /** Marks clusters as used by {@code what}; reports and returns false when already used. */
  private boolean claim(long offset, long len, String what) {
    long first = offset / clusterSize;
    long last = (offset + Math.max(len, 1) - 1) / clusterSize;
    boolean clean = true;
    for (long c = first; c <= last && c < hostClusters; c++) {
      if (used.get((int) c)) {
        problem(what + " at offset " + offset + " overlaps cluster " + c
            + " already in use (a table pointing into other metadata, or a loop)");
        clean = false;
      }
      used.set((int) c);
      references[(int) c]++;
    }
    if (last >= hostClusters) {
      problem(what + " at offset " + offset + " extends past the end of the file");
      clean = false;
    }
    return clean;
  }

  /** Compressed clusters may share host clusters with each other: count, do not claim. */
  private void countShared(long offset, long len) {
    for (long c = offset / clusterSize; c <= (offset + len - 1) / clusterSize
        && c < hostClusters; c++) {
      references[(int) c]++;
    }
  }

  private boolean aligned(long offset) {
    return offset % clusterSize == 0;
  }

  private void problem(String text) {
    problems.add(text);
  }

  private long[] readTable(long offset, int entries) throws IOException {
    // never more entries than the file holds past the offset
    long len = Math.min(8L * entries, Math.max(0, fileSize - offset)) & ~7L;
    ByteBuffer b = read(offset, (int) len);
    long[] out = new long[(int) (len / 8)];
    for (int i = 0; i < len / 8; i++) {
      out[i] = b.getLong(i * 8);
    }
    return out;
  }

  private ByteBuffer read(long offset, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining()) {
      if (ch.read(b, offset + b.position()) < 0) {
        break;
      }
    }
    return b.clear();
  }
}
