package dev.kiln.kvm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real OpenSSH server for tests: its own host key, config and authorized key, listening on a
 * free port of 127.0.0.1 only, stopped (and its directory removed) on close. Root may log in
 * with the generated key only.
 */
final class LoopbackSshd implements AutoCloseable {
  final Path dir;
  final int port;
  final Path clientKey;
  private final Process process;

  private LoopbackSshd(Path dir, int port, Path clientKey, Process process) {
    this.dir = dir;
    this.port = port;
    this.clientKey = clientKey;
    this.process = process;
  }

  static LoopbackSshd start() throws Exception {
    Path dir = Fixtures.reachableTempDir("kiln-sshd-");
    Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key")
        .toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
        "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve(
            "authorized_keys"), "PermitRootLogin prohibit-password",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
        "StrictModes no" /* the key lives under /var/tmp (mode 1777) */, "Subsystem sftp internal-sftp", ""));
    Process p = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f",
        dir.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    Instant end = Instant.now().plus(Duration.ofSeconds(10));
    while (Instant.now().isBefore(end)) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return new LoopbackSshd(dir, port, dir.resolve("client_key"), p);
      } catch (IOException notYet) {
        if (!p.isAlive()) {
          break;
        }
        Thread.sleep(100);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("sshd did not start: "
        + Files.readString(dir.resolve("sshd.log")));
  }

  /** A libvirt URI reaching this machine's libvirtd through this sshd. */
  String libvirtUri() {
    return "qemu+ssh://root@127.0.0.1:" + port + "/system?keyfile=" + clientKey
        + "&no_verify=1";
  }

  /** Stops the server at once (e.g. to cut connections mid-build). */
  void kill() {
    process.destroyForcibly();
  }

  private static void run(String... command) throws Exception {
    Fixtures.Result r = Fixtures.run(List.of(command), 60);
    if (r.exit() != 0) {
      throw new IllegalStateException(String.join(" ", command) + ": " + r.output());
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    // the sessions sshd forked for clients end with their connections
    Fixtures.run(List.of("pkill", "-f", "sshd: root@notty.*" + port), 10);
    Fixtures.deleteTree(dir);
  }
}
