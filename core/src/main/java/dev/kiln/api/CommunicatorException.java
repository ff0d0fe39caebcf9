package dev.kiln.api;

/** Thrown when the guest cannot be reached or a command in it cannot be run (SSH). */
public class CommunicatorException extends KilnException {
  private static final long serialVersionUID = 1L;

  public CommunicatorException(String message) {
    super(message);
  }

  public CommunicatorException(String message, Throwable cause) {
    super(message, cause);
  }
}
