package dev.kiln.formats;

/**
 * A run of guest bytes {@code [offset, offset + length)} that may hold data. Bytes outside every
 * extent of an image read as zero.
 */
public record Extent(long offset, long length) {
  public Extent {
    if (offset < 0 || length <= 0) {
      throw new IllegalArgumentException("bad extent " + offset + "+" + length);
    }
  }

  public long end() {
    return offset + length;
  }

  /** Adds {@code [start, start+len)} to {@code extents}, merging with the last when adjacent. */
  public static void appendMerged(java.util.List<Extent> extents, long start, long len) {
    Extent last = extents.isEmpty() ? null : extents.get(extents.size() - 1);
    if (last != null && last.end() == start) {
      extents.set(extents.size() - 1, new Extent(last.offset(), last.length() + len));
    } else {
      extents.add(new Extent(start, len));
    }
  }

  /** Fills the rest of {@code dst} with zeros: what reads past a disk's end return. */
  public static void zeroFill(java.nio.ByteBuffer dst) {
    while (dst.hasRemaining()) {
      dst.put((byte) 0);
    }
  }
}
