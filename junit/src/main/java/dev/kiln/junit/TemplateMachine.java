package dev.kiln.junit;

import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Communicator.ExecResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A booted template as a test sees it: its SSH connection, identity and console. */
public interface TemplateMachine {
  /** The connection, logged in with the ConfigDrive's key. */
  Communicator ssh();

  /** Where SSH answers on this host (always 127.0.0.1). */
  InetSocketAddress sshAddress();

  /** The instance id the ConfigDrive gave this boot. */
  String instanceId();

  /** The public key the ConfigDrive injected (CloudStack's key reset). */
  String publicKey();

  /** The console's last lines. */
  List<String> consoleTail(int lines);

  /** Runs {@code command} (5 minutes at most); its exit code and output tails. */
  default ExecResult exec(String command) throws Exception {
    return ssh().exec(new ExecRequest(command, Duration.ofMinutes(5), Map.of(), false, false));
  }

  /**
   * Runs {@code command} and returns its standard output, stripped; a non-zero exit fails with
   * the command, its exit code and output.
   */
  default String sh(String command) throws Exception {
    ExecResult r = exec(command);
    if (!r.succeeded()) {
      throw new AssertionError(command + " exited " + r.exitCode() + ":\n" + r.stdoutTail()
          + r.stderrTail());
    }
    return r.stdoutTail().strip();
  }
}
