package dev.kiln.formats.convert;

/**
 * Where a conversion is, for a person watching it: the guest bytes read and written into the
 * target format, then (for a packaged artifact such as {@code x.vhd.bz2}) the image bytes
 * compressed. Each phase counts from 0 to its own total.
 */
@FunctionalInterface
public interface ConversionProgress {
  /** The two passes of a conversion, in order. */
  enum Phase {
    /** Reading the source and writing the target format; total = the virtual size. */
    CONVERT,
    /** Compressing or archiving the written image; total = its file size. */
    PACKAGE
  }

  /** {@code done} of {@code total} bytes of {@code phase}; called often, from one thread. */
  void update(Phase phase, long done, long total);

  /** Nothing to report. */
  ConversionProgress NONE = (phase, done, total) -> { };
}
