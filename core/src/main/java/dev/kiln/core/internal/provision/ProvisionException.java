package dev.kiln.core.internal.provision;

import dev.kiln.api.CommunicatorException;

/** A provisioning step that ran and failed; the message holds its output's tail. */
public final class ProvisionException extends CommunicatorException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public ProvisionException(String step, int exitCode, String output) {
    super(step + " failed with exit code " + exitCode + (output.isBlank() ? ""
        : "; last output:\n" + output));
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
