package dev.kiln.api;

/** Thrown when the guest cannot be reached or a command in it cannot be run (SSH). */
public class CommunicatorException extends KilnException {
  private static final long serialVersionUID = 1L;

  /** A failure to reach or use the guest, in one sentence. */
  public CommunicatorException(String message) {
    super(message);
  }

  /** As {@link #CommunicatorException(String)}, with the underlying cause. */
  public CommunicatorException(String message, Throwable cause) {
    super(message, cause);
  }
}
