package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for CLI tests: a tmux server on its own socket (so it meets no other tmux),
 * one window of a fixed size running a shell script; {@code send-keys} types, {@code
 * capture-pane} reads the screen a person would see. Closing kills the server and whatever runs
 * in it.
 */
final class Tmux implements AutoCloseable {
  private final String socket = "kiln-test-" + ProcessHandle.current().pid() + "-"
      + Long.toHexString(System.nanoTime());

  /** Runs {@code script} (bash) in a new window of {@code columns} × {@code rows}. */
  Tmux(Path script, int columns, int rows) throws IOException, InterruptedException {
    run("new-session", "-d", "-s", "t", "-x", Integer.toString(columns), "-y",
        Integer.toString(rows), "bash " + script);
  }

  /** A script that runs {@code command} (already quoted for bash), then prints its status. */
  static Path script(Path dir, String name, String command) throws IOException {
    Path s = dir.resolve(name + ".sh");
    Files.writeString(s, "#!/bin/bash\n" + command + "\necho \"EXIT=$?\"\nsleep 600\n",
        StandardCharsets.UTF_8);
    return s;
  }

  /** The screen, line by line, without trailing blank lines. */
  List<String> screen() throws IOException, InterruptedException {
    String text = run("capture-pane", "-p", "-t", "t");
    List<String> lines = new ArrayList<>(text.lines().toList());
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    return lines;
  }

  /** Polls the screen until {@code condition} holds; the last screen either way. */
  List<String> await(Predicate<List<String>> condition, Duration timeout)
      throws IOException, InterruptedException {
    Instant end = Instant.now().plus(timeout);
    List<String> s = screen();
    while (!condition.test(s) && Instant.now().isBefore(end)) {
      Thread.sleep(250);
      s = screen();
    }
    return s;
  }

  void sendKeys(String... keys) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", "t"));
    args.addAll(List.of(keys));
    run(args.toArray(String[]::new));
  }

  @Override
  public void close() throws IOException, InterruptedException {
    new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start()
        .waitFor(30, TimeUnit.SECONDS);
    // a killed server does not always remove its socket: the test leaves nothing behind
    java.nio.file.Path dir = java.nio.file.Path.of(System.getenv().getOrDefault("TMUX_TMPDIR",
        "/tmp"), "tmux-" + java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"),
        "unix:uid"));
    java.nio.file.Files.deleteIfExists(dir.resolve(socket));
    try {
      java.nio.file.Files.deleteIfExists(dir); // only when no other tmux uses it
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // another server's socket is there
    }
  }

  private String run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("tmux " + String.join(" ", args) + ": " + out);
    }
    return out;
  }
}
