package dev.kiln.formats;

/** A disk larger than the target format can hold (see {@link FormatLimits}). */
public class FormatLimitException extends FormatException {
  private static final long serialVersionUID = 1L;

  /** @param message the whole sentence: the format, its limit, the disk's size, what to do */
  public FormatLimitException(String message) {
    super(message, "virtual size");
  }
}
