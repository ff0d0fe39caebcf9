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
}
