package dev.kiln.core.internal.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.api.CommunicatorException;
import dev.kiln.api.Secret;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.testing.LoopbackSshd;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Communicator.ExecResult;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH communicator against a real OpenSSH server (Debian's sshd, started on a free
 * loopback port with its own config and keys), and the reasons Kiln gives when it cannot
 * connect.
 */
@Tag("sshd")
class SshCommunicatorTest {
  static final Duration SHORT = Duration.ofSeconds(20);
  BuildKey key = BuildKey.generate("kiln-build-test");
  LoopbackSshd sshd;
  List<KilnEvent> events = new CopyOnWriteArrayList<>();
  EventHandlers handlers = EventHandlers.builder().addAll(events::add).build();
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    sshd = LoopbackSshd.start(List.of(key.publicKey()), null, 0);
  }

  @AfterEach
  void stop() throws Exception {
    sshd.close();
  }

  SshCommunicator connect() throws Exception {
    return SshCommunicator.connect(new SshEndpoint("127.0.0.1", sshd.port, "root", key),
        SHORT, Optional.empty(), handlers, "b-ssh");
  }

  @Test
  void execReturnsExitCodesAndStreamsBothOutputs() throws Exception {
    try (SshCommunicator c = connect()) {
      ExecResult r = c.exec(ExecRequest.of("echo out; echo err >&2; exit 3",
          Duration.ofSeconds(30)));
      assertThat(r.exitCode()).isEqualTo(3);
      assertThat(r.stdoutTail()).isEqualTo("out\n");
      assertThat(r.stderrTail()).isEqualTo("err\n");
      assertThat(events).anyMatch(e -> e instanceof KilnEvent.CommandOutput o
          && o.stream() == KilnEvent.OutputStream.STDERR && o.line().equals("err")
          && o.buildId().equals("b-ssh"));
    }
  }

  @Test
  void largeOutputsKeepATail() throws Exception {
    try (SshCommunicator c = connect()) {
      ExecResult r = c.exec(ExecRequest.of("seq 1 300000", Duration.ofSeconds(60)));
      assertThat(r.succeeded()).isTrue();
      assertThat(r.stdoutTail()).endsWith("299999\n300000\n");
      assertThat(events.stream().filter(KilnEvent.CommandOutput.class::isInstance).count())
          .isEqualTo(300000);
    }
  }

  @Test
  void commandsTimeOut() throws Exception {
    try (SshCommunicator c = connect()) {
      assertThatThrownBy(() -> c.exec(ExecRequest.of("echo started; sleep 30",
          Duration.ofSeconds(2)))).isInstanceOf(CommunicatorException.class)
          .hasMessageContaining("timed out after 2 s").hasMessageContaining("started");
      assertThat(c.exec(ExecRequest.of("true", Duration.ofSeconds(10))).succeeded()).isTrue();
    }
  }

  @Test
  void environmentSudoAndPty() throws Exception {
    try (SshCommunicator c = connect()) {
      ExecResult env = c.exec(new ExecRequest("printf '%s' \"$GREETING\"", Duration.ofSeconds(10),
          Map.of("GREETING", "it's a \"test\" $HOME"), true, false));
      assertThat(env.stdoutTail()).isEqualTo("it's a \"test\" $HOME\n");
      ExecResult tty = c.exec(new ExecRequest("tty", Duration.ofSeconds(10), Map.of(), false,
          true));
      assertThat(tty.stdoutTail()).startsWith("/dev/pts/");
      ExecResult noTty = c.exec(ExecRequest.of("tty", Duration.ofSeconds(10)));
      assertThat(noTty.stdoutTail()).contains("not a tty");
      ExecResult sudo = c.exec(new ExecRequest("id -u", Duration.ofSeconds(10), Map.of(), true,
          false));
      assertThat(sudo.stdoutTail()).isEqualTo("0\n");
    }
  }

  @Test
  void sftpTreesRoundTrip() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("a/b"));
    Files.writeString(tree.resolve("top.txt"), "top");
    Files.write(tree.resolve("a/b/blob.bin"), new byte[3 << 20]);
    Files.writeString(tree.resolve("a/ü n i.txt"), "unicode name");
    String remote = sshd.dir.resolve("uploaded").toString();
    try (SshCommunicator c = connect()) {
      c.upload(tree, remote);
      Path back = dir.resolve("back");
      c.download(remote, back);
      ProcessBuilder diff = new ProcessBuilder("diff", "-r", tree.toString(), back.toString());
      assertThat(diff.start().waitFor()).isZero();
      ProcessBuilder diffRemote = new ProcessBuilder("diff", "-r", tree.toString(), remote);
      assertThat(diffRemote.start().waitFor()).isZero();
    }
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.ByteProgress p
        && p.total() == (3 << 20) && p.done() == p.total());
  }

  /**
   * A server that refuses a channel while another is open (OpenSSH's {@code MaxSessions 1};
   * a guest starved of CPU refuses or answers late the same way): the SFTP open is tried again
   * and gets through once the command before it has ended — it failed the build before.
   */
  @Test
  void aRefusedChannelOpenIsTriedAgain() throws Exception {
    sshd.close();
    sshd = LoopbackSshd.start(List.of(key.publicKey()), null, 0, List.of("MaxSessions 1"));
    Path marker = sshd.dir.resolve("running");
    Path file = dir.resolve("payload.txt");
    Files.writeString(file, "through");
    String remote = sshd.dir.resolve("payload.txt").toString();
    try (SshCommunicator c = connect()) {
      CompletableFuture<ExecResult> busy = CompletableFuture.supplyAsync(() -> {
        try {
          return c.exec(ExecRequest.of("touch " + marker + "; sleep 1.5", SHORT));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      for (int i = 0; i < 200 && !Files.exists(marker); i++) {
        Thread.sleep(50);
      }
      assertThat(marker).as("the first channel is open").exists();
      c.upload(file, remote);
      assertThat(busy.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }
    assertThat(Path.of(remote)).hasContent("through");
    assertThat(Files.readString(sshd.dir.resolve("sshd.log")))
        .as("sshd refused the first open").contains("no more sessions");
  }

  @Test
  void remoteForwardReachesAServiceOnTheHostsLoopback() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 4);
    http.createContext("/", ex -> {
      byte[] body = "hello through the build's connection".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    http.start();
    int guestPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      guestPort = s.getLocalPort();
    }
    try (SshCommunicator c = connect()) {
      c.forwardRemote(guestPort, http.getAddress().getPort());
      ExecResult r = c.exec(ExecRequest.of("curl -s http://127.0.0.1:" + guestPort + "/",
          Duration.ofSeconds(20)));
      assertThat(r.stdoutTail()).contains("hello through the build's connection");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void aWrongKeyIsReportedAsARejectedLogin() {
    SshEndpoint wrong = new SshEndpoint("127.0.0.1", sshd.port, "root",
        BuildKey.generate("other"));
    assertThatThrownBy(() -> SshCommunicator.connect(wrong, Duration.ofSeconds(3),
        Optional.empty(), handlers, "b")).isInstanceOf(CommunicatorException.class)
        .hasMessageContaining("rejected the login").hasMessageContaining("build key");
  }

  @Test
  void aWrongPasswordIsReportedAsARejectedLoginWithoutShowingIt() {
    SshEndpoint wrong = new SshEndpoint("127.0.0.1", sshd.port, "root",
        BuildKey.generate("other"), Optional.of(Secret.of("not-the-password")),
        Optional.empty());
    assertThatThrownBy(() -> SshCommunicator.connect(wrong, Duration.ofSeconds(3),
        Optional.empty(), handlers, "b")).isInstanceOf(CommunicatorException.class)
        .hasMessageContaining("key and password").hasMessageNotContaining("not-the-password");
  }

  @Test
  void aChangedHostKeyStopsAtOnce() throws Exception {
    SshCommunicator c = connect();
    c.exec(ExecRequest.of("true", Duration.ofSeconds(10)));
    c.close();
    int port = sshd.port;
    sshd.close();
    sshd = LoopbackSshd.start(List.of(key.publicKey()), null, port); // a new host key
    long start = System.nanoTime();
    assertThatThrownBy(() -> c.exec(ExecRequest.of("true", Duration.ofSeconds(10))))
        .isInstanceOf(CommunicatorException.class).hasMessageContaining("host key")
        .hasMessageContaining("changed");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
  }

  @Test
  void theSameHostKeyIsAcceptedAfterARestart() throws Exception {
    try (SshCommunicator c = connect()) {
      c.exec(ExecRequest.of("true", Duration.ofSeconds(10)));
      c.close();
      int port = sshd.port;
      Path hostKey = dir.resolve("host_key");
      Files.copy(sshd.hostKey(), hostKey);
      sshd.close();
      sshd = LoopbackSshd.start(List.of(key.publicKey()), hostKey, port);
      assertThat(c.exec(ExecRequest.of("echo again", Duration.ofSeconds(10))).stdoutTail())
          .isEqualTo("again\n");
    }
  }

  @Test
  void aServerKilledMidCommandIsReported() throws Exception {
    try (SshCommunicator c = connect()) {
      CompletableFuture<Object> running = CompletableFuture.supplyAsync(() -> {
        try {
          return c.exec(ExecRequest.of("echo begun; sleep 30", Duration.ofSeconds(60)));
        } catch (Exception e) {
          return e;
        }
      });
      Thread.sleep(1500);
      sshd.killSessions();
      Object outcome = running.get(30, TimeUnit.SECONDS);
      assertThat(outcome).isInstanceOf(CommunicatorException.class);
      assertThat(((Exception) outcome).getMessage()).contains("lost while 'echo begun; sleep 30'")
          .contains("begun");
    }
  }

  @Test
  void waitingSaysWhyTheServerIsNotThere() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    assertThatThrownBy(() -> SshCommunicator.connect(new SshEndpoint("127.0.0.1", closed,
        "root", key), Duration.ofSeconds(2), Optional.empty(), handlers, "b"))
        .hasMessageContaining("port closed");
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            Socket s = silent.accept(); // accept and say nothing
            s.getInputStream();
          }
        } catch (Exception e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      assertThatThrownBy(() -> SshCommunicator.connect(new SshEndpoint("127.0.0.1",
          silent.getLocalPort(), "root", key), Duration.ofSeconds(3), Optional.empty(),
          handlers, "b")).hasMessageContaining("sent no SSH banner");
    }
    try (ServerSocket hangup = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            hangup.accept().close(); // what QEMU's forward does while sshd is down
          }
        } catch (Exception e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      assertThatThrownBy(() -> SshCommunicator.connect(new SshEndpoint("127.0.0.1",
          hangup.getLocalPort(), "root", key), Duration.ofSeconds(2), Optional.empty(),
          handlers, "b")).hasMessageContaining("closed before the SSH banner");
    }
  }

  @Test
  void theBuildKeyIsWrittenOnlyWhereAsked() throws Exception {
    Path written = key.writeTo(dir);
    assertThat(Files.getPosixFilePermissions(written)).hasSize(2);
    assertThat(Files.readString(written)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
    assertThat(key.toString()).doesNotContain("PRIVATE").contains("ssh-ed25519");
    ProcessBuilder check = new ProcessBuilder("ssh-keygen", "-y", "-f", written.toString());
    Process p = check.start();
    String derived = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(key.publicKey()).isEqualTo(derived.strip());
  }
}
