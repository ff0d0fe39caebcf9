package dev.kiln.formats.vhd;

/** Cylinders, heads and sectors per track, computed as the VHD specification's appendix does. */
public record VhdGeometry(int cylinders, int heads, int sectorsPerTrack) {
  /** The specification's CHS algorithm for a disk of {@code size} bytes. */
  public static VhdGeometry of(long size) {
    long totalSectors = Math.min(size / 512, 65535L * 16 * 255);
    int spt;
    int heads;
    long cylTimesHeads;
    if (totalSectors >= 65535L * 16 * 63) {
      spt = 255;
      heads = 16;
      cylTimesHeads = totalSectors / spt;
    } else {
      spt = 17;
      cylTimesHeads = totalSectors / spt;
      heads = (int) Math.max(4, (cylTimesHeads + 1023) / 1024);
      if (cylTimesHeads >= heads * 1024L || heads > 16) {
        spt = 31;
        heads = 16;
        cylTimesHeads = totalSectors / spt;
      }
      if (cylTimesHeads >= heads * 1024L) {
        spt = 63;
        heads = 16;
        cylTimesHeads = totalSectors / spt;
      }
    }
    return new VhdGeometry((int) (cylTimesHeads / heads), heads, spt);
  }
}
