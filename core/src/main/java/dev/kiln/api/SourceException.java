package dev.kiln.api;

/** Thrown when a source cannot be fetched, verified or read (download failed, checksum mismatch). */
public class SourceException extends KilnException {
  private static final long serialVersionUID = 1L;

  public SourceException(String message) {
    super(message);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
