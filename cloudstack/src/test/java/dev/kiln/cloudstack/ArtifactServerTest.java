package dev.kiln.cloudstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifact server judged by curl: HEAD, Range, Content-Length, the token, nothing else. */
class ArtifactServerTest {
  @TempDir Path dir;

  @Test
  void servesExactlyTheArtifactsWithRanges() throws Exception {
    Path file = dir.resolve("debian-12-kvm.qcow2.bz2");
    byte[] data = new byte[100_000];
    new Random(3).nextBytes(data);
    Files.write(file, data);
    Files.writeString(dir.resolve("secret.txt"), "not served");
    try (ArtifactServer server = ArtifactServer.start(new InetSocketAddress("127.0.0.1", 0), "",
        List.of(file))) {
      String url = server.urlOf(file).toString();
      assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/[A-Za-z0-9_-]{43}/"
          + "debian-12-kvm\\.qcow2\\.bz2");
      Path whole = dir.resolve("whole");
      assertThat(curl("-sf", "-o", whole.toString(), url)).isEmpty();
      assertThat(Files.readAllBytes(whole)).isEqualTo(data);
      assertThat(curl("-sfI", url)).contains("HTTP/1.1 200", "Content-length: 100000",
          "Accept-ranges: bytes");
      Path part = dir.resolve("part");
      assertThat(curl("-sf", "-r", "1000-1999", "-o", part.toString(), "-w", "%{http_code}",
          url)).isEqualTo("206");
      assertThat(Files.readAllBytes(part)).isEqualTo(java.util.Arrays.copyOfRange(data, 1000,
          2000));
      assertThat(curl("-s", "-r", "-10", "-o", part.toString(), "-w", "%{http_code}", url))
          .isEqualTo("206");
      assertThat(Files.readAllBytes(part)).isEqualTo(java.util.Arrays.copyOfRange(data,
          data.length - 10, data.length));
      assertThat(curl("-s", "-r", "200000-", "-o", "/dev/null", "-w", "%{http_code}", url))
          .isEqualTo("416");
      String base = url.substring(0, url.lastIndexOf('/') + 1);
      String root = url.substring(0, url.indexOf('/', 8) + 1);
      for (String other : List.of(base + "secret.txt", root + "debian-12-kvm.qcow2.bz2",
          base + "..%2Fsecret.txt", root)) {
        assertThat(curl("-s", "-o", "/dev/null", "-w", "%{http_code}", other)).isEqualTo("404");
      }
      assertThat(curl("-s", "-X", "POST", "-o", "/dev/null", "-w", "%{http_code}", url))
          .isEqualTo("405");
    }
  }

  static String curl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "curl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out.strip();
  }
}
