package dev.kiln.formats.vmdk;

/** Constants of VMware's "Virtual Disk Format 5.0" for stream-optimized sparse extents. */
final class VmdkConstants {
  /** "KDMV" read as a little-endian integer. */
  static final int SPARSE_MAGICNUMBER = 0x564d444b;
  static final int VERSION = 3;
  static final int FLAG_VALID_NEW_LINE_DETECTION = 1;
  static final int FLAG_COMPRESSED = 1 << 16;
  static final int FLAG_MARKERS = 1 << 17;
  static final long GD_AT_END = 0xFFFFFFFFFFFFFFFFL;
  static final int COMPRESSION_DEFLATE = 1;
  static final int SECTOR = 512;
  static final int GRAIN_SECTORS = 128;
  static final int GRAIN_SIZE = GRAIN_SECTORS * SECTOR;
  static final int NUM_GTES_PER_GT = 512;
  /** Sectors before the first grain, as VMware and qemu write them. */
  static final int OVERHEAD_SECTORS = 128;
  static final int MARKER_EOS = 0;
  static final int MARKER_GT = 1;
  static final int MARKER_GD = 2;
  static final int MARKER_FOOTER = 3;

  private VmdkConstants() {}
}
