package dev.kiln.api;

/** Thrown when the hypervisor cannot define, start, control or remove a build machine. */
public class MachineException extends KilnException {
  private static final long serialVersionUID = 1L;

  public MachineException(String message) {
    super(message);
  }

  public MachineException(String message, Throwable cause) {
    super(message, cause);
  }
}
