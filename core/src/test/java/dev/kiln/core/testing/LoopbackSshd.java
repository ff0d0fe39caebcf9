package dev.kiln.core.testing;

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
public final class LoopbackSshd implements AutoCloseable {
  public final Path dir;
  public final int port;
  public final Path clientKey;
  private final Process process;

  private LoopbackSshd(Path dir, int port, Path clientKey, Process process) {
    this.dir = dir;
    this.port = port;
    this.clientKey = clientKey;
    this.process = process;
  }

  /** Starts an sshd that lets root in with a generated key ({@link #clientKey}). */
  public static LoopbackSshd start() throws Exception {
    return start(List.of(), null, 0);
  }

  /**
   * @param authorizedKeys more public keys root may use
   * @param hostKey an existing host key to reuse (null: a new one)
   * @param port the port (0: a free one)
   */
  public static LoopbackSshd start(List<String> authorizedKeys, Path hostKey, int port)
      throws Exception {
    return start(authorizedKeys, hostKey, port, List.of());
  }

  /** As {@link #start(List, Path, int)}, with more {@code sshd_config} lines (e.g. limits). */
  public static LoopbackSshd start(List<String> authorizedKeys, Path hostKey, int port,
      List<String> extraConfig) throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-sshd-",
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory
    if (hostKey == null) {
      run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key")
          .toString());
    } else {
      Files.copy(hostKey, dir.resolve("host_key"));
      Files.setPosixFilePermissions(dir.resolve("host_key"),
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key")
        .toString());
    List<String> keys = new java.util.ArrayList<>(authorizedKeys);
    keys.add(Files.readString(dir.resolve("client_key.pub")).strip());
    Files.write(dir.resolve("authorized_keys"), keys);
    if (port == 0) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = s.getLocalPort();
      }
    }
    // sshd takes the first value of a keyword: the caller's lines come first, to override
    List<String> config = new java.util.ArrayList<>(extraConfig);
    config.addAll(List.of("Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
        "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve(
            "authorized_keys"), "PermitRootLogin prohibit-password",
        "PasswordAuthentication yes", "KbdInteractiveAuthentication no", "UsePAM no",
        "AllowTcpForwarding yes", "ClientAliveInterval 0",
        "StrictModes no" /* the key lives under /var/tmp (mode 1777) */, "Subsystem sftp internal-sftp", ""));
    Files.writeString(dir.resolve("sshd_config"), String.join("\n", config));
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
  public String libvirtUri() {
    return "qemu+ssh://root@127.0.0.1:" + port + "/system?keyfile=" + clientKey
        + "&no_verify=1";
  }

  /** Stops the server at once (e.g. to cut connections mid-build). */
  public void kill() {
    process.destroyForcibly();
  }

  /** Kills the sessions sshd forked for clients (their connections drop mid-command). */
  public void killSessions() throws Exception {
    // the whole tree: sshd's privileged child, its unprivileged session child, their commands
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  /** The host key, to restart a server with the same identity. */
  public Path hostKey() {
    return dir.resolve("host_key");
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || (p.exitValue() != 0
        && !command[0].equals("pkill"))) {
      throw new IllegalStateException(String.join(" ", command) + ": " + out);
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroy();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    run("rm", "-rf", dir.toString());
  }
}
