package dev.kiln.kvm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.MachineException;
import dev.kiln.core.testing.LoopbackSshd;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tunnel to a remote host's loopback against a real OpenSSH server: bytes reach a port on
 * the "host's" 127.0.0.1 through it; an unknown or changed host key is refused with a sentence;
 * the route comes from the libvirt URI or Kiln's {@code kiln-ssh} parameter.
 */
class HostTunnelTest {
  @TempDir
  Path dir;

  @Test
  void aLocalForwardReachesThePortOnTheHostsLoopback() throws Exception {
    try (LoopbackSshd sshd = LoopbackSshd.start();
        ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path known = knownHosts(sshd);
      SshRoute route = SshRoute.of(URI.create("qemu+ssh://root@127.0.0.1:" + sshd.port
          + "/system?keyfile=" + sshd.clientKey + "&known_hosts=" + known)).orElseThrow();
      try (HostTunnel tunnel = new HostTunnel(route)) {
        int local = tunnel.forward(target.getLocalPort());
        assertThat(local).isNotEqualTo(target.getLocalPort());
        Thread echo = new Thread(() -> {
          try (Socket s = target.accept()) {
            s.getOutputStream().write(s.getInputStream().readNBytes(5));
          } catch (Exception ignored) {
            // the assertion below fails instead
          }
        });
        echo.start();
        try (Socket c = new Socket(InetAddress.getLoopbackAddress(), local)) {
          OutputStream out = c.getOutputStream();
          out.write("hello".getBytes(StandardCharsets.US_ASCII));
          InputStream in = c.getInputStream();
          assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
        }
        echo.join(10_000);
        tunnel.release(local);
      }
    }
  }

  @Test
  void anUnknownOrChangedHostKeyIsRefused() throws Exception {
    try (LoopbackSshd sshd = LoopbackSshd.start();
        LoopbackSshd other = LoopbackSshd.start()) {
      Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
      SshRoute unknown = new SshRoute("root", "127.0.0.1", sshd.port, List.of(sshd.clientKey),
          empty);
      try (HostTunnel tunnel = new HostTunnel(unknown)) {
        assertThatThrownBy(() -> tunnel.forward(22)).isInstanceOf(MachineException.class)
            .hasMessageContaining("SSH host key is not in " + empty)
            .hasMessageContaining("does not trust");
      }
      // the key of another server recorded for this address: a changed host
      Path wrong = Files.writeString(dir.resolve("wrong_known_hosts"), "[127.0.0.1]:"
          + sshd.port + " " + publicKey(other) + "\n");
      SshRoute changed = new SshRoute("root", "127.0.0.1", sshd.port, List.of(sshd.clientKey),
          wrong);
      try (HostTunnel tunnel = new HostTunnel(changed)) {
        assertThatThrownBy(() -> tunnel.forward(22)).isInstanceOf(MachineException.class)
            .hasMessageContaining("differs from the one in " + wrong);
      }
      SshRoute missing = new SshRoute("root", "127.0.0.1", sshd.port, List.of(sshd.clientKey),
          dir.resolve("absent"));
      try (HostTunnel tunnel = new HostTunnel(missing)) {
        assertThatThrownBy(() -> tunnel.forward(22)).hasMessageContaining("is missing");
      }
    }
  }

  @Test
  void routesComeFromTheUriOrKilnsParameter() {
    SshRoute ssh = SshRoute.of(URI.create("qemu+ssh://kiln@rack2.example.com:2222/system"
        + "?keyfile=/k/id&known_hosts=/k/known")).orElseThrow();
    assertThat(ssh).isEqualTo(new SshRoute("kiln", "rack2.example.com", 2222,
        List.of(Path.of("/k/id")), Path.of("/k/known")));
    SshRoute tls = SshRoute.of(URI.create("qemu+tls://rack3/system?kiln-ssh=builder@rack3-mgmt:22"
        + "&keyfile=/k/id")).orElseThrow();
    assertThat(tls.user()).isEqualTo("builder");
    assertThat(tls.host()).isEqualTo("rack3-mgmt");
    assertThat(SshRoute.of(URI.create("qemu:///system"))).isEmpty();
    assertThatThrownBy(() -> SshRoute.of(URI.create("qemu+tls://rack3/system")))
        .hasMessageContaining("add kiln-ssh=user@host");
    // libvirt never sees Kiln's parameters
    assertThat(SshRoute.withoutKilnParameters(URI.create("qemu+tls://r/system?kiln-ssh=a@b"
        + "&pkipath=/p&kiln-cache-gib=5"))).isEqualTo(URI.create("qemu+tls://r/system?pkipath=/p"));
    assertThat(SshRoute.cacheGib(URI.create("qemu+ssh://h/system?kiln-cache-gib=200")))
        .contains(200L);
    assertThatThrownBy(() -> SshRoute.cacheGib(URI.create("qemu+ssh://h/system?kiln-cache-gib=x")))
        .hasMessageContaining("whole number of GiB");
  }

  @Test
  void aMediaRecordReadsBackAsWrittenAndRefusesAnythingElse() {
    MediaCache.Record r = new MediaCache.Record("ab".repeat(32), 123, 456);
    assertThat(MediaCache.Record.parse(new String(r.toBytes(), StandardCharsets.UTF_8)))
        .contains(r);
    assertThat(r.matches("ab".repeat(32), 123)).isTrue();
    assertThat(r.matches("ab".repeat(32), 124)).isFalse();
    assertThat(MediaCache.Record.parse("sha256 xyz 1 2")).isEmpty();
    assertThat(MediaCache.Record.parse("")).isEmpty();
  }

  private static Path knownHosts(LoopbackSshd sshd) throws Exception {
    return Files.writeString(sshd.dir.resolve("known_hosts"), "[127.0.0.1]:" + sshd.port + " "
        + publicKey(sshd) + "\n");
  }

  private static String publicKey(LoopbackSshd sshd) throws Exception {
    Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", sshd.hostKey().toString()).start();
    String[] f = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
        .split(" ");
    p.waitFor();
    return f[0] + " " + f[1];
  }
}
