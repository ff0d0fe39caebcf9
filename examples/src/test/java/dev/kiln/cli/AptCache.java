package dev.kiln.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Debian's apt-cacher-ng on a free port of 127.0.0.1, managed-only (it fetches from
 * deb.debian.org and nothing else), with its cache kept in /var/tmp/kiln-apt-cache between
 * runs. Guests reach it through an SSH remote forward of the build's own connection.
 */
final class AptCache implements AutoCloseable {
  static final Path CACHE = Path.of("/var/tmp/kiln-apt-cache");
  final int port;
  private final Process process;
  private final Path dir;
  /** Stops the server when the JVM is stopped first (Ctrl-C, SIGTERM of a test run). */
  private final Thread reaper;

  private AptCache(int port, Process process, Path dir) {
    this.port = port;
    this.process = process;
    this.dir = dir;
    this.reaper = new Thread(() -> {
      process.destroyForcibly();
      deleteQuietly(dir);
    }, "kiln-apt-cache-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  private static void deleteQuietly(Path dir) {
    try {
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    } catch (IOException | InterruptedException e) {
      // the JVM is going away; nothing more to do
    }
  }

  static AptCache start() throws Exception {
    Path dir = Files.createTempDirectory("kiln-acng-");
    Files.createDirectories(CACHE);
    Files.createDirectories(dir.resolve("log"));
    int port = freePortBelow32768();
    Files.writeString(dir.resolve("acng.conf"), String.join("\n",
        "CacheDir: " + CACHE, "LogDir: " + dir.resolve("log"),
        "SupportDir: /usr/lib/apt-cacher-ng", "Port: " + port, "BindAddress: 127.0.0.1",
        "SocketPath: " + dir.resolve("socket"), "ForeGround: 1", "ForceManaged: 1", "PassThroughPattern: ^$",
        "PidFile: " + dir.resolve("pid"), "ExThreshold: 4",
        "Remap-debrep: deb.debian.org/debian ; http://deb.debian.org/debian/",
        "Remap-secdeb: deb.debian.org/debian-security ; http://deb.debian.org/debian-security/",
        ""));
    Process p = new ProcessBuilder("apt-cacher-ng", "-c", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("log/stdout").toFile()).start();
    Instant end = Instant.now().plus(Duration.ofSeconds(15));
    while (Instant.now().isBefore(end)) {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return new AptCache(port, p, dir);
      } catch (IOException notYet) {
        if (!p.isAlive()) {
          break;
        }
        Thread.sleep(100);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("apt-cacher-ng did not start: "
        + Files.readString(dir.resolve("log/stdout")));
  }

  /** apt-cacher-ng 3.7 cannot bind ports above 32767 ("Error resolving address for binding"). */
  private static int freePortBelow32768() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int i = 0; i < 200; i++) {
      int port = 20000 + random.nextInt(12000);
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }

  @Override
  public void close() throws Exception {
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running
    }
    process.destroy();
    if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
  }
}
