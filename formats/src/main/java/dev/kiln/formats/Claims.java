package dev.kiln.formats;

import java.util.BitSet;

/**
 * Which units of an image file (clusters, sectors, blocks) a reader has already seen referenced.
 * Formats without snapshots reference every table and every data block once; a second
 * reference is how a hostile image makes a small file claim terabytes (one L2 table under
 * every L1 entry, every grain table entry on one grain). One bit per unit of the file, so the
 * memory is bounded by the file's size: 32 MiB for a 128 GiB file in 512-byte units.
 */
public final class Claims {
  private final int unit;
  private final long units;
  private final BitSet seen;

  /**
   * @param fileSize the file's size in bytes
   * @param unit the granularity of references in bytes (a power of two)
   * @throws FormatException when the file has more units than one bit set can count
   */
  public Claims(long fileSize, int unit) throws FormatException {
    this.unit = unit;
    this.units = (fileSize + unit - 1) / unit;
    if (units > Integer.MAX_VALUE - 64) {
      throw new FormatException("file too large to check in " + unit + "-byte units", "file",
          -1);
    }
    this.seen = new BitSet((int) units);
  }

  /**
   * Records a reference to {@code [offset, offset + len)} (which must lie inside the file).
   *
   * @return false when any unit of it was referenced before
   */
  public boolean claim(long offset, long len) {
    long first = offset / unit;
    long last = Math.min(units - 1, (offset + Math.max(len, 1) - 1) / unit);
    if (first > last) {
      return true;
    }
    int next = seen.nextSetBit((int) first);
    boolean fresh = next < 0 || next > last;
    seen.set((int) first, (int) last + 1);
    return fresh;
  }

  /** Like {@link #claim} but a second reference is a {@link FormatException} naming it. */
  public void claimOnce(long offset, long len, String what, String field, long fieldOffset)
      throws FormatException {
    if (!claim(offset, len)) {
      throw new FormatException(what + " at offset " + offset + " is referenced more than "
          + "once (the format allows one reference)", field, fieldOffset);
    }
  }
}
