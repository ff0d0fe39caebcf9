package dev.kiln.api;

/** Root of every checked exception Kiln throws; catch this to handle any Kiln failure. */
public class KilnException extends Exception {
  private static final long serialVersionUID = 1L;

  public KilnException(String message) {
    super(message);
  }

  public KilnException(String message, Throwable cause) {
    super(message, cause);
  }
}
