package dev.kiln.formats;

/** A valid image using a feature Kiln does not handle (backing file, encryption, …). */
public class UnsupportedFeatureException extends FormatException {
  private static final long serialVersionUID = 1L;

  public UnsupportedFeatureException(String message, String field, long offset) {
    super(message, field, offset);
  }
}
