package dev.kiln.formats.qcow2;

import dev.kiln.formats.Bounds;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.UnsupportedFeatureException;
import java.nio.ByteBuffer;

/**
 * The qcow2 header (qemu docs/interop/qcow2.rst, "Header"), big-endian. {@link #write} and
 * {@link #read} are mirror images; field names follow the specification.
 */
public record Qcow2Header(int version, int clusterBits, long size, int l1Size, long l1TableOffset,
    long refcountTableOffset, int refcountTableClusters, long incompatibleFeatures,
    int refcountOrder, int headerLength) {
  /** "QFI\xfb". */
  public static final int MAGIC = 0x514649fb;
  public static final int V2_HEADER_LENGTH = 72;
  /** What qemu 7.2 writes for v3: 104 bytes plus the compression type byte and padding. */
  public static final int V3_HEADER_LENGTH = 112;
  public static final int INCOMPAT_DIRTY = 1;
  public static final int INCOMPAT_CORRUPT = 1 << 1;
  public static final int INCOMPAT_DATA_FILE = 1 << 2;
  public static final int INCOMPAT_COMPRESSION = 1 << 3;
  public static final int INCOMPAT_EXTL2 = 1 << 4;
  /** Refuse images whose virtual size exceeds this (qemu's own limit is 32 MiB * 2^21). */
  public static final long MAX_SIZE = 64L << 40;

  /** Writes the header at the buffer's position (the buffer must hold headerLength bytes). */
  public void write(ByteBuffer b) {
    int start = b.position();
    b.putInt(MAGIC).putInt(version).putLong(0).putInt(0) // backing_file_offset, _size
        .putInt(clusterBits).putLong(size).putInt(0) // crypt_method
        .putInt(l1Size).putLong(l1TableOffset).putLong(refcountTableOffset)
        .putInt(refcountTableClusters).putInt(0).putLong(0); // nb_snapshots, snapshots_offset
    if (version >= 3) {
      b.putLong(incompatibleFeatures).putLong(0).putLong(0) // compatible, autoclear
          .putInt(refcountOrder).putInt(headerLength);
      b.put((byte) 0); // compression_type: zlib
      while (b.position() - start < headerLength) {
        b.put((byte) 0);
      }
    }
    b.putLong(0); // end of header extensions
  }

  /**
   * Parses and checks a header against the file's size.
   *
   * @throws FormatException naming the field at fault
   */
  public static Qcow2Header read(ByteBuffer b, long fileSize) throws FormatException {
    return read(b, fileSize, false);
  }

  /**
   * @param allowBacking accept images with a backing file (the caller then reads through the
   *     backing chain)
   */
  public static Qcow2Header read(ByteBuffer b, long fileSize, boolean allowBacking)
      throws FormatException {
    if (b.remaining() < V2_HEADER_LENGTH) {
      throw new FormatException("file too short for a qcow2 header", "header", 0);
    }
    if (b.getInt(0) != MAGIC) {
      throw new FormatException("not a qcow2 image", "magic", 0);
    }
    int version = b.getInt(4);
    if (version != 2 && version != 3) {
      throw new UnsupportedFeatureException("qcow2 version " + version, "version", 4);
    }
    if (b.getLong(8) != 0 && !allowBacking) {
      throw new UnsupportedFeatureException("images with a backing file", "backing_file_offset",
          8);
    }
    int clusterBits = b.getInt(20);
    if (clusterBits < 9 || clusterBits > 21) {
      throw new FormatException("cluster_bits " + clusterBits + " outside 9..21",
          "cluster_bits", 20);
    }
    long size = b.getLong(24);
    if (size < 0 || size > MAX_SIZE) {
      throw new FormatException("virtual size " + size + " is absurd", "size", 24);
    }
    if (b.getInt(32) != 0) {
      throw new UnsupportedFeatureException("encrypted images", "crypt_method", 32);
    }
    int l1Size = b.getInt(36);
    long l1Offset = b.getLong(40);
    long rtOffset = b.getLong(48);
    int rtClusters = b.getInt(56);
    if (b.getInt(60) != 0) {
      throw new UnsupportedFeatureException("internal snapshots", "nb_snapshots", 60);
    }
    long incompatible = 0;
    int refcountOrder = 4;
    int headerLength = V2_HEADER_LENGTH;
    if (version == 3) {
      if (b.remaining() < 104) {
        throw new FormatException("file too short for a v3 header", "header_length", 100);
      }
      incompatible = b.getLong(72);
      long unknown = incompatible & ~(long) (INCOMPAT_DIRTY | INCOMPAT_CORRUPT);
      if ((unknown & INCOMPAT_DATA_FILE) != 0) {
        throw new UnsupportedFeatureException("external data files", "incompatible_features",
            72);
      }
      if (unknown != 0) {
        throw new UnsupportedFeatureException("incompatible feature bits 0x"
            + Long.toHexString(unknown), "incompatible_features", 72);
      }
      refcountOrder = Bounds.intRange("refcount_order", 96, b.getInt(96), 0, 6,
          "refcount_order");
      // qemu: a multiple of 8, at least the 104 bytes of the v3 fields, inside cluster 0
      headerLength = Bounds.intRange("header_length", 100, b.getInt(100), 104,
          1 << clusterBits, "header_length");
      if (headerLength % 8 != 0) {
        throw new FormatException("header_length " + headerLength + " is not a multiple of 8",
            "header_length", 100);
      }
    }
    long clusterSize = 1L << clusterBits;
    long l2Coverage = clusterSize * (clusterSize / 8);
    long needed = (size + l2Coverage - 1) / l2Coverage;
    if (l1Size < needed || l1Size > (32L << 20) / 8) {
      throw new FormatException("l1_size " + l1Size + " does not fit size " + size, "l1_size",
          36);
    }
    if (l1Offset % clusterSize != 0 || l1Offset <= 0) {
      throw new FormatException("L1 table at " + l1Offset + " is unaligned or in the header",
          "l1_table_offset", 40);
    }
    Bounds.region("l1_table_offset", 40, l1Offset, 8L * l1Size, fileSize);
    // refcount_table_clusters is unsigned: a negative int is a huge table, not a small one
    long rtClustersUnsigned = Integer.toUnsignedLong(rtClusters);
    if (rtOffset % clusterSize != 0 || rtOffset <= 0) {
      throw new FormatException("refcount table at " + rtOffset + " is unaligned or in the "
          + "header", "refcount_table_offset", 48);
    }
    Bounds.range("refcount_table_clusters", 56, rtClustersUnsigned, 1,
        Bounds.MAX_TABLE_BYTES / clusterSize, "refcount_table_clusters");
    Bounds.region("refcount_table_offset", 48, rtOffset, clusterSize * rtClustersUnsigned,
        fileSize);
    return new Qcow2Header(version, clusterBits, size, l1Size, l1Offset, rtOffset, rtClusters,
        incompatible, refcountOrder, headerLength);
  }
}
