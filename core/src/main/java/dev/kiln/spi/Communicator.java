package dev.kiln.spi;

import dev.kiln.api.CommunicatorException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** Runs commands in, and moves files to and from, a running guest (SSH in Kiln). */
public interface Communicator extends AutoCloseable {

  /** A command to run. */
  record ExecRequest(String command, Duration timeout, Map<String, String> environment,
      boolean sudo, boolean pty) {
    /** Refuses a missing command or timeout; copies the environment. */
    public ExecRequest {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(timeout, "timeout");
      environment = Map.copyOf(environment);
    }

    /** A plain command with a timeout, no environment, no sudo, no PTY. */
    public static ExecRequest of(String command, Duration timeout) {
      return new ExecRequest(command, timeout, Map.of(), false, false);
    }
  }

  /** How a command ended; output lines were also sent as events while it ran. */
  record ExecResult(int exitCode, String stdoutTail, String stderrTail, Duration elapsed) {
    /** Whether the command exited with status 0. */
    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  /** Runs a command and returns its exit status; a non-zero exit is data, not an exception. */
  ExecResult exec(ExecRequest request) throws CommunicatorException, InterruptedException;

  /** Copies a local file or directory tree to {@code remotePath}. */
  void upload(Path local, String remotePath) throws CommunicatorException;

  /** Copies a remote file or directory tree to {@code local}. */
  void download(String remotePath, Path local) throws CommunicatorException;

  /**
   * Runs a command that ends the connection (a reboot, a power-off): a non-zero exit is an
   * error, the connection dropping is not.
   */
  void execExpectingDisconnect(ExecRequest request) throws CommunicatorException,
      InterruptedException;

  /**
   * Lets the guest reach {@code 127.0.0.1:hostPort} on the build host at its own
   * {@code 127.0.0.1:guestPort}, through this connection (kept across reconnects).
   */
  void forwardRemote(int guestPort, int hostPort) throws CommunicatorException;

  /** Expects the guest to go away (reboot) and waits until it answers again. */
  void awaitReconnect(Duration timeout) throws CommunicatorException, InterruptedException;

  /** Ends the connection; idempotent. */
  @Override
  void close();
}
