package dev.kiln.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

/** Runs a command line of independent tools (openssl, sha256sum, …) for a test. */
public final class Shell {
  private Shell() {}

  /** The command's output (stdout and stderr); fails the test unless it exits 0. */
  public static String run(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(command + "\n" + out).isZero();
    return out;
  }
}
