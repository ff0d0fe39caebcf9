package dev.kiln.formats;

import java.util.Locale;

/**
 * The largest virtual disk each format can hold, checked before any work (by {@code kiln
 * recipe validate} for a recipe's outputs and by the converter before it writes a byte), so a
 * too-large disk fails in one sentence rather than at export after a whole install.
 */
public final class FormatLimits {
  private FormatLimits() {}

  /**
   * The format's limit in bytes: VHD 2040 GiB (Microsoft's VHD specification: "up to 2040
   * GB"), VHDX 64 TiB (MS-VHDX 1.0, VirtualDiskSize), VMDK and OVA 62 TiB (vSphere's largest
   * virtual disk; the sparse extent file itself stays under 2^32 sectors, which qemu's
   * block/vmdk.c calls VMDK_EXTENT_MAX_SECTORS), qcow2 64 TiB (Kiln's reader and writer bound;
   * qemu allows more), raw none. Each writer checks its own format when it is created.
   */
  public static long maxVirtualSize(ImageFormat format) {
    return switch (format) {
      case VHD -> 2040L << 30;
      case VHDX -> 64L << 40;
      case VMDK, OVA -> 62L << 40;
      case QCOW2 -> 64L << 40;
      case RAW -> Long.MAX_VALUE;
    };
  }

  /** Refuses a {@code virtualSize}-byte disk that {@code format} cannot hold. */
  public static void check(ImageFormat format, long virtualSize) throws FormatLimitException {
    long max = maxVirtualSize(format);
    if (virtualSize > max) {
      throw new FormatLimitException(format.name().toLowerCase(Locale.ROOT) + " holds at most "
          + human(max) + ", and this disk is " + human(virtualSize) + " (" + virtualSize
          + " bytes); choose a smaller disk or another format");
    }
  }

  static String human(long bytes) {
    if (bytes % (1L << 40) == 0) {
      return (bytes >> 40) + " TiB";
    }
    if (bytes % (1L << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
