package dev.kiln.core.internal.ssh;

import dev.kiln.spi.Communicator.ExecRequest;
import java.util.Map;

/** The one line of POSIX shell an {@link ExecRequest} becomes on the guest. */
public final class ShellCommand {
  private ShellCommand() {}

  /** The command line sent: environment, then sudo around everything when asked. */
  static String compose(ExecRequest r) {
    StringBuilder script = new StringBuilder();
    r.environment().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("not an environment variable name: " + e.getKey());
      }
      script.append("export ").append(e.getKey()).append('=').append(quote(e.getValue()))
          .append("; ");
    });
    script.append(r.command());
    if (!r.sudo()) {
      return script.toString();
    }
    // -S reads the password from stdin, which holds it or is closed at once: sudo never
    // waits for a prompt; the environment is exported inside the script, not through sudo
    return "sudo -p '' -S sh -c " + quote(script.toString());
  }

  /** {@code s} as one single-quoted shell word. */
  public static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
