package dev.kiln.formats;

import java.util.Locale;

/**
 * The check of a disk against the largest virtual disk its format can hold (each codec's
 * {@link FormatCodec#maxVirtualSize}, with the specification it comes from), made before any
 * work (by {@code kiln recipe validate} for a recipe's outputs and by each writer before it
 * writes a byte), so a too-large disk fails in one sentence rather than at export after a
 * whole install.
 */
public final class FormatLimits {
  private FormatLimits() {}

  /**
   * Refuses a {@code virtualSize}-byte disk that {@code format}, holding at most {@code max}
   * bytes ({@link FormatCodec#maxVirtualSize}), cannot hold.
   */
  public static void check(ImageFormat format, long max, long virtualSize)
      throws FormatLimitException {
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
