package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.KilnException;
import dev.kiln.core.matrix.BuildHost;
import dev.kiln.kvm.internal.SshRoute;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A matrix host's {@code ssh:} and {@code cacheGib:} as the KVM backend reads them back from
 * the URI the matrix file makes (SshRoute, MediaCache's cap), and libvirt's URI without them.
 */
class MatrixFileHostsTest {
  @TempDir
  Path dir;

  MatrixFile load(String hosts) throws Exception {
    Path file = dir.resolve("matrix.yaml");
    Files.writeString(file, "hosts:\n" + hosts + "builds:\n  - os: [debian-12]\n");
    return MatrixFile.load(file);
  }

  @Test
  void sshAndCacheGibReachTheBackendAndNeverLibvirt() throws Exception {
    MatrixFile m = load("""
          - name: tls-host
            uri: qemu+tls://h1.example/system
            ssh: kiln@192.0.2.7:2222
            cacheGib: 16
          - name: ssh-host
            uri: qemu+ssh://root@h2.example:2200/system?keyfile=/k
        """);
    URI tls = m.hosts().get(0).uri();
    SshRoute route = SshRoute.of(tls).orElseThrow();
    assertThat(route.user()).isEqualTo("kiln");
    assertThat(route.host()).isEqualTo("192.0.2.7");
    assertThat(route.port()).isEqualTo(2222);
    assertThat(SshRoute.cacheGib(tls)).contains(16L);
    assertThat(SshRoute.withoutKilnParameters(tls)).hasToString("qemu+tls://h1.example/system");
    // a qemu+ssh host needs neither: the route is libvirt's own, its parameters kept
    BuildHost ssh = m.hosts().get(1);
    assertThat(ssh.uri()).hasToString("qemu+ssh://root@h2.example:2200/system?keyfile=/k");
    SshRoute sshRoute = SshRoute.of(ssh.uri()).orElseThrow();
    assertThat(sshRoute.user()).isEqualTo("root");
    assertThat(sshRoute.port()).isEqualTo(2200);
    assertThat(SshRoute.cacheGib(ssh.uri())).isEmpty();
  }

  @Test
  void aBadSshOrCacheGibIsOneSentenceNamingTheHost() {
    assertThatThrownBy(() -> load("""
          - name: h
            uri: qemu+tls://h/system
            ssh: "kiln@h; rm -rf /"
        """)).isInstanceOf(KilnException.class).hasMessageContaining("host h: ssh:")
        .hasMessageContaining("is not [user@]host[:port]");
    assertThatThrownBy(() -> load("""
          - name: h
            uri: qemu+tls://h/system
            cacheGib: 0
        """)).isInstanceOf(KilnException.class)
        .hasMessageContaining("host h: cacheGib must be a whole number of GiB");
  }
}
