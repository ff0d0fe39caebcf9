package dev.kiln.formats;

/** A disk larger than the target format can hold (see {@link FormatLimits}). */
public class FormatLimitException extends FormatException {
  private static final long serialVersionUID = 1L;

  public FormatLimitException(String message) {
    super(message, "virtual size");
  }
}
