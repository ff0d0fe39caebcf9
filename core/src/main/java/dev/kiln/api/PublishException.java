package dev.kiln.api;

/** Thrown when CloudStack refused or failed to take an artifact. */
public class PublishException extends KilnException {
  private static final long serialVersionUID = 1L;

  public PublishException(String message) {
    super(message);
  }

  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
