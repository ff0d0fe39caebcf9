package dev.kiln.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The cached Debian fixture and small helpers VM tests share. */
public final class Fixtures {
  private Fixtures() {}

  /** Builds (first time, ~2 min) or finds the Debian 12 fixture; returns the raw disk. */
  public static Path debian12() throws Exception {
    Process p = new ProcessBuilder("bash", repoRoot().resolve("scripts/build-debian-fixture.sh")
        .toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(20, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as("fixture build").isZero();
    return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
  }

  public static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("scripts/build-debian-fixture.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("run from inside the Kiln repository");
    }
    return p;
  }

  /** A fresh directory QEMU's user can read (mode 0755) under /var/tmp. */
  public static Path reachableTempDir(String prefix) throws IOException {
    Path base = Path.of("/var/tmp");
    Path dir = Files.createTempDirectory(base, prefix,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    // a test run stopped by SIGTERM or Ctrl-C skips @AfterEach: remove the directory then too
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
      } catch (IOException | InterruptedException e) {
        // the JVM is going away: nothing more to do
      }
    }, "kiln-test-tempdir-reaper"));
    return dir;
  }

  /** Runs a command; returns exit status and combined output. */
  public static Result run(List<String> command, long timeoutSeconds) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Exit status and output of a command. */
  public record Result(int exit, String output) {}

  public static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
