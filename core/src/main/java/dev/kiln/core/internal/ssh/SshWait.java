package dev.kiln.core.internal.ssh;

import dev.kiln.api.CommunicatorException;
import dev.kiln.api.MachineException;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineState;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * "Waiting for SSH" that says why it is still waiting: before each login attempt the port is
 * probed and the answer classified (port closed; connection closed before the banner, which is
 * what QEMU's forward does while the guest's sshd is not up; no banner), a login failure is
 * classified (authentication rejected, host key changed), and the machine is asked whether it
 * still runs. Attempts back off from 1 s to 10 s. A changed host key or a stopped machine ends
 * the wait at once; the deadline ends it with the last reason and the console's last lines.
 */
public final class SshWait {
  /** Why the last attempt failed. */
  public enum Reason {
    PORT_CLOSED("port closed: nothing listens on %s"),
    CLOSED_BEFORE_BANNER("connection to %s closed before the SSH banner (the guest's sshd is "
        + "not listening yet)"),
    NO_BANNER("%s accepted the connection but sent no SSH banner"),
    AUTH_REJECTED("%s answered but rejected the login"),
    HOST_KEY_CHANGED("the host key of %s changed since it was first seen"),
    MACHINE_STOPPED("the machine stopped while waiting for SSH on %s"),
    CONNECT_FAILED("connecting to %s failed");

    private final String text;

    Reason(String text) {
      this.text = text;
    }

    String describe(SshEndpoint e) {
      return String.format(text, e.host() + ":" + e.port());
    }
  }

  /** One login attempt; throws with a {@link Reason} when it fails. */
  interface Attempt<T> {
    T connect() throws SshLoginException;
  }

  /** A failed login with its classified reason. */
  static final class SshLoginException extends Exception {
    private static final long serialVersionUID = 1L;
    final Reason reason;

    SshLoginException(Reason reason, String detail, Throwable cause) {
      super(detail, cause);
      this.reason = reason;
    }
  }

  private SshWait() {}

  static <T> T await(SshEndpoint endpoint, Duration deadline, Optional<Machine> machine,
      Attempt<T> attempt) throws CommunicatorException, InterruptedException {
    Instant end = Instant.now().plus(deadline);
    long backoffMs = 1000;
    String last = "no attempt yet";
    while (true) {
      Optional<Reason> probe = probe(endpoint);
      Reason reason;
      String detail;
      if (probe.isPresent()) {
        reason = probe.get();
        detail = reason.describe(endpoint);
      } else {
        try {
          return attempt.connect();
        } catch (SshLoginException e) {
          reason = e.reason;
          detail = reason.describe(endpoint) + (e.getMessage() == null ? ""
              : " (" + e.getMessage() + ")");
          if (reason == Reason.HOST_KEY_CHANGED) {
            throw new CommunicatorException(detail + "; refusing to continue", e);
          }
        }
      }
      last = detail;
      if (machine.isPresent()) {
        MachineState state = state(machine.get());
        if (state == MachineState.SHUT_OFF || state == MachineState.CRASHED) {
          throw new CommunicatorException(Reason.MACHINE_STOPPED.describe(endpoint) + " ("
              + state + "); last attempt: " + last + consoleTail(machine));
        }
      }
      if (Instant.now().plusMillis(backoffMs).isAfter(end)) {
        throw new CommunicatorException("no SSH on " + endpoint + " within "
            + deadline.toSeconds() + " s: " + last + consoleTail(machine));
      }
      Thread.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10_000);
    }
  }

  /** A reason not to try logging in yet, or empty when an SSH banner is offered. */
  static Optional<Reason> probe(SshEndpoint e) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(e.host(), e.port()), 5000);
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      byte[] banner = new byte[4];
      int n = in.readNBytes(banner, 0, 4);
      if (n < 4) {
        return Optional.of(Reason.CLOSED_BEFORE_BANNER);
      }
      return new String(banner, StandardCharsets.US_ASCII).equals("SSH-") ? Optional.empty()
          : Optional.of(Reason.NO_BANNER);
    } catch (ConnectException ex) {
      return Optional.of(Reason.PORT_CLOSED);
    } catch (SocketTimeoutException ex) {
      return Optional.of(Reason.NO_BANNER);
    } catch (IOException ex) {
      return Optional.of(Reason.CLOSED_BEFORE_BANNER);
    }
  }

  private static MachineState state(Machine m) {
    try {
      return m.state();
    } catch (MachineException e) {
      return MachineState.RUNNING; // cannot tell: keep waiting
    }
  }

  private static String consoleTail(Optional<Machine> machine) {
    if (machine.isEmpty()) {
      return "";
    }
    List<String> tail = machine.get().consoleTail(15);
    return tail.isEmpty() ? "" : "\nlast console lines:\n  " + String.join("\n  ", tail);
  }
}
