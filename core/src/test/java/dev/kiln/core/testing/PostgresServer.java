package dev.kiln.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: Debian's binaries, a fresh cluster in a directory of its
 * own under /var/tmp, listening on 127.0.0.1 only, trust authentication for user {@code kiln}.
 * As root the cluster runs as user {@code postgres} (PostgreSQL refuses root). {@link #close}
 * stops it and removes the directory; a shutdown hook does the same if the test dies first.
 */
public final class PostgresServer implements AutoCloseable {
  private final Path root;
  private final Path bin;
  private final int port;
  private final Thread reaper;

  private PostgresServer(Path root, Path bin, int port) {
    this.root = root;
    this.bin = bin;
    this.port = port;
    this.reaper = new Thread(this::stopQuietly, "kiln-postgres-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    Path bin = binaries();
    Path root = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-pg-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    PostgresServer server = new PostgresServer(root, bin, port);
    try {
      if (isRoot()) {
        run(List.of("chown", "postgres:postgres", root.toString()));
      }
      Path data = root.resolve("data");
      server.asOwner(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A",
          "trust", "-U", "kiln", "--no-sync", "-E", "UTF8"));
      server.asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w",
          "-t", "120", "-l", root.resolve("server.log").toString(), "-o",
          "-c listen_addresses=127.0.0.1 -p " + port + " -k " + root + " -c fsync=off",
          "start"));
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** A JDBC URL of the server's {@code postgres} database as user {@code kiln}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=kiln";
  }

  private static Path binaries() throws IOException {
    Path base = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(base)) {
      throw new IOException("PostgreSQL is not installed (/usr/lib/postgresql): run "
          + "scripts/host-setup.sh");
    }
    try (Stream<Path> versions = Files.list(base)) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(
          b.resolve("initdb"))).max(Comparator.comparing(p -> Integer.parseInt(p.getParent()
              .getFileName().toString().replaceAll("\\D", "0")))).orElseThrow(() ->
                  new IOException("no initdb under " + base));
    }
  }

  private void asOwner(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void stopQuietly() {
    try {
      if (Files.isDirectory(root.resolve("data"))) {
        asOwner(List.of(bin.resolve("pg_ctl").toString(), "-D", root.resolve("data")
            .toString(), "-m", "immediate", "-w", "stop"));
      }
    } catch (IOException | InterruptedException e) {
      // not running (or already stopped): the directory goes regardless
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // nothing left to remove
    }
  }

  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException ignored) {
      // shutting down: the hook runs anyway
    }
  }
}
