package dev.kiln.core.internal.ssh;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import dev.kiln.api.CommunicatorException;
import dev.kiln.api.KilnException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Machine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The {@link Communicator} over SSH (jsch): the build key first, a password as fallback; host
 * keys trusted on first use and pinned; keep-alives; commands with environment, sudo (with or
 * without a password), PTY and timeout, output streamed as events; SFTP trees with progress;
 * reboot-aware reconnects (the boot id must change); remote port forwards (the guest reaches a
 * service on the host's loopback through this connection), re-established after reconnects.
 */
public final class SshCommunicator implements Communicator {
  private static final int TAIL_LINES = 60;
  private static final int CHANNEL_OPEN_MILLIS = 60_000;

  private final SshEndpoint endpoint;
  private final EventHandlers events;
  private final String buildId;
  private final Optional<Machine> machine;
  private final Duration connectDeadline;
  private final PinnedHostKeys hostKeys = new PinnedHostKeys();
  private final List<int[]> remoteForwards = new ArrayList<>();
  private final SftpTransfers transfers;
  private Session session;
  private String bootId = "";

  private SshCommunicator(SshEndpoint endpoint, EventHandlers events, String buildId,
      Optional<Machine> machine, Duration connectDeadline) {
    this.endpoint = endpoint;
    this.events = events;
    this.buildId = buildId;
    this.transfers = new SftpTransfers(events, buildId);
    this.machine = machine;
    this.connectDeadline = connectDeadline;
  }

  /**
   * Waits (see {@link SshWait}) until the guest accepts a login, then returns the connected
   * communicator.
   *
   * @param machine asked whether it still runs, and for its console on failure
   */
  public static SshCommunicator connect(SshEndpoint endpoint, Duration deadline,
      Optional<Machine> machine, EventHandlers events, String buildId)
      throws CommunicatorException, InterruptedException {
    SshCommunicator c = new SshCommunicator(endpoint, events, buildId, machine, deadline);
    c.session = SshWait.await(endpoint, deadline, machine, c::login);
    c.bootId = c.readBootId();
    return c;
  }

  public SshEndpoint endpoint() {
    return endpoint;
  }

  private Session login() throws SshWait.SshLoginException {
    JSch jsch = new JSch();
    jsch.setHostKeyRepository(hostKeys);
    try {
      jsch.addIdentity("kiln-build", endpoint.key().privateKey(), null, null);
      Session s = jsch.getSession(endpoint.user(), endpoint.host(), endpoint.port());
      s.setConfig("StrictHostKeyChecking", "yes"); // with trust-on-first-use in the repository
      s.setConfig("PreferredAuthentications", endpoint.password().isPresent()
          ? "publickey,password,keyboard-interactive" : "publickey");
      s.setHostKeyAlias(endpoint.hostId());
      if (endpoint.password().isPresent()) {
        s.setPassword(endpoint.password().get().reveal());
      }
      s.setServerAliveInterval(10_000);
      s.setServerAliveCountMax(3);
      s.connect(30_000);
      for (int[] f : remoteForwards) {
        s.setPortForwardingR("127.0.0.1", f[0], "127.0.0.1", f[1]);
      }
      return s;
    } catch (JSchChangedHostKeyException e) {
      throw new SshWait.SshLoginException(SshWait.Reason.HOST_KEY_CHANGED, null, e);
    } catch (JSchException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("Auth fail") || m.contains("Auth cancel")) {
        throw new SshWait.SshLoginException(SshWait.Reason.AUTH_REJECTED, "user "
            + endpoint.user() + (endpoint.password().isPresent() ? ", key and password"
            : ", build key"), e);
      }
      if (m.contains("HostKey has been changed")) {
        throw new SshWait.SshLoginException(SshWait.Reason.HOST_KEY_CHANGED, null, e);
      }
      throw new SshWait.SshLoginException(SshWait.Reason.CONNECT_FAILED, m, e);
    } catch (KilnException e) {
      throw new SshWait.SshLoginException(SshWait.Reason.AUTH_REJECTED, "password unavailable: "
          + e.getMessage(), e);
    }
  }

  private String readBootId() throws CommunicatorException, InterruptedException {
    ExecResult r = execQuietly("cat /proc/sys/kernel/random/boot_id", Duration.ofSeconds(30));
    return r.stdoutTail().strip();
  }

  @Override
  public ExecResult exec(ExecRequest request) throws CommunicatorException,
      InterruptedException {
    return run(request, true);
  }

  private ExecResult execQuietly(String command, Duration timeout) throws CommunicatorException,
      InterruptedException {
    return run(ExecRequest.of(command, timeout), false);
  }

  private ExecResult run(ExecRequest request, boolean emit) throws CommunicatorException,
      InterruptedException {
    ensureConnected();
    String command = ShellCommand.compose(request);
    Instant start = Instant.now();
    ChannelExec ch = null;
    Tail out = new Tail();
    Tail err = new Tail();
    Thread outReader;
    Thread errReader;
    try {
      ExecChannel opened = connectChannel(() -> {
        ChannelExec c = (ChannelExec) session.openChannel("exec");
        c.setCommand(command);
        c.setPty(request.pty());
        // the streams before connect: output that arrives before they exist is dropped
        return new ExecChannel(c, c.getInputStream(), c.getErrStream(), c.getOutputStream());
      }, ExecChannel::channel);
      ch = opened.channel();
      InputStream stdout = opened.stdout();
      InputStream stderr = opened.stderr();
      OutputStream stdin = opened.stdin();
      if (request.sudo() && endpoint.sudoPassword().isPresent()) {
        stdin.write((endpoint.sudoPassword().get().reveal() + "\n")
            .getBytes(StandardCharsets.UTF_8));
        stdin.flush();
      }
      stdin.close();
      outReader = reader(stdout, out, request.command(), KilnEvent.OutputStream.STDOUT, emit);
      errReader = reader(stderr, err, request.command(), KilnEvent.OutputStream.STDERR, emit);
    } catch (JSchException | IOException e) {
      if (ch != null) {
        ch.disconnect();
      }
      throw lost("starting '" + request.command() + "'", e);
    } catch (KilnException e) {
      ch.disconnect();
      throw new CommunicatorException("sudo password unavailable: " + e.getMessage(), e);
    }
    long deadline = System.nanoTime() + request.timeout().toNanos();
    try {
      while (!ch.isClosed()) {
        if (System.nanoTime() > deadline) {
          ch.disconnect();
          throw new CommunicatorException("'" + request.command() + "' timed out after "
              + request.timeout().toSeconds() + " s; last output:\n" + out.text() + err.text());
        }
        if (!session.isConnected()) {
          break;
        }
        Thread.sleep(20);
      }
      outReader.join(10_000);
      errReader.join(10_000);
    } finally {
      ch.disconnect();
    }
    int exit = ch.getExitStatus();
    if (exit < 0) {
      throw new CommunicatorException("connection to " + endpoint + " lost while '"
          + request.command() + "' ran (the server or the machine went away); last output:\n"
          + out.text() + err.text());
    }
    return new ExecResult(exit, out.text(), err.text(), Duration.between(start, Instant.now()));
  }

  private Thread reader(InputStream in, Tail tail, String command,
      KilnEvent.OutputStream stream, boolean emit) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in,
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          tail.add(line);
          if (emit) {
            events.dispatch(new KilnEvent.CommandOutput(buildId, Instant.now(), command, stream,
                line));
          }
        }
      } catch (IOException e) {
        // the channel closed: what was read is in the tail
      }
    }, "kiln-ssh-" + stream.name().toLowerCase());
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The last lines of one output stream. */
  private static final class Tail {
    private final ArrayDeque<String> lines = new ArrayDeque<>();

    synchronized void add(String line) {
      lines.addLast(line.length() > 2000 ? line.substring(0, 2000) + "…" : line);
      if (lines.size() > TAIL_LINES) {
        lines.removeFirst();
      }
    }

    synchronized String text() {
      return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }
  }

  @Override
  public void upload(Path local, String remotePath) throws CommunicatorException {
    ensureConnectedUnchecked();
    ChannelSftp sftp = sftp();
    try {
      transfers.upload(sftp, local, remotePath);
    } finally {
      sftp.disconnect();
    }
  }

  @Override
  public void download(String remotePath, Path local) throws CommunicatorException {
    ensureConnectedUnchecked();
    ChannelSftp sftp = sftp();
    try {
      transfers.download(sftp, remotePath, local);
    } finally {
      sftp.disconnect();
    }
  }

  private ChannelSftp sftp() throws CommunicatorException {
    try {
      return connectChannel(() -> (ChannelSftp) session.openChannel("sftp"), c -> c);
    } catch (JSchException | IOException e) {
      throw lost("opening SFTP", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommunicatorException("interrupted opening SFTP to " + endpoint, e);
    }
  }

  /** An exec channel with the streams taken before it was connected. */
  private record ExecChannel(ChannelExec channel, InputStream stdout, InputStream stderr,
      OutputStream stdin) {}

  /** Makes a channel, not yet connected; called again for each attempt. */
  private interface ChannelOpener<T> {
    T open() throws JSchException, IOException;
  }

  /**
   * Connects a channel. A guest starved of CPU (TCG, several machines on two cores) may answer
   * a channel open late — for exec and SFTP alike: an unanswered or refused open is tried again,
   * three times in all, while the session itself is up.
   */
  private <T> T connectChannel(ChannelOpener<T> opener, Function<T, Channel> channelOf)
      throws JSchException, IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      T opened = opener.open();
      Channel ch = channelOf.apply(opened);
      try {
        ch.connect(CHANNEL_OPEN_MILLIS);
        return opened;
      } catch (JSchException e) {
        ch.disconnect();
        if (attempt >= 3 || !session.isConnected()
            || !String.valueOf(e.getMessage()).contains("channel is not opened")) {
          throw e;
        }
        Thread.sleep(2000L * attempt);
      }
    }
  }

  /**
   * Lets the guest reach {@code 127.0.0.1:hostPort} on this host at its own
   * {@code 127.0.0.1:guestPort}, through this connection (kept across reconnects).
   */
  @Override
  public void forwardRemote(int guestPort, int hostPort) throws CommunicatorException {
    ensureConnectedUnchecked();
    try {
      session.setPortForwardingR("127.0.0.1", guestPort, "127.0.0.1", hostPort);
      remoteForwards.add(new int[] {guestPort, hostPort});
    } catch (JSchException e) {
      throw new CommunicatorException("remote forward of guest port " + guestPort + " to "
          + "127.0.0.1:" + hostPort + " refused: " + e.getMessage(), e);
    }
  }

  @Override
  public void awaitReconnect(Duration timeout) throws CommunicatorException,
      InterruptedException {
    String before = bootId;
    long end = System.nanoTime() + timeout.toNanos();
    disconnect();
    while (true) {
      Duration left = Duration.ofNanos(Math.max(end - System.nanoTime(), 1_000_000_000L));
      session = SshWait.await(endpoint, left, machine, this::login);
      try {
        bootId = readBootId();
      } catch (CommunicatorException goingDown) {
        // logged in just before the old sshd went away: not rebooted yet
        bootId = before;
      }
      if (!bootId.equals(before)) {
        return;
      }
      // still the old boot: the reboot has not happened yet
      disconnect();
      if (System.nanoTime() > end) {
        throw new CommunicatorException(endpoint + " did not reboot within "
            + timeout.toSeconds() + " s (same boot id)");
      }
      TimeUnit.SECONDS.sleep(2);
    }
  }

  /** Runs {@code command} (e.g. a reboot) expecting the connection to drop. */
  @Override
  public void execExpectingDisconnect(ExecRequest request) throws CommunicatorException,
      InterruptedException {
    try {
      ExecResult r = run(request, true);
      if (!r.succeeded()) {
        throw new CommunicatorException("'" + request.command() + "' failed with exit "
            + r.exitCode() + ":\n" + r.stdoutTail() + r.stderrTail());
      }
    } catch (CommunicatorException e) {
      if (!String.valueOf(e.getMessage()).contains("lost")) {
        throw e;
      }
    }
  }

  private void ensureConnected() throws CommunicatorException, InterruptedException {
    if (session == null || !session.isConnected()) {
      session = SshWait.await(endpoint, connectDeadline, machine, this::login);
    }
  }

  private void ensureConnectedUnchecked() throws CommunicatorException {
    try {
      ensureConnected();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommunicatorException("interrupted while connecting", e);
    }
  }

  private CommunicatorException lost(String what, Exception e) {
    return new CommunicatorException("connection to " + endpoint + " lost " + what + ": "
        + e.getMessage(), e);
  }

  private void disconnect() {
    if (session != null) {
      session.disconnect();
    }
  }

  @Override
  public void close() {
    disconnect();
  }

  @Override
  public String toString() {
    return "SshCommunicator[" + endpoint + "]";
  }
}
