package dev.kiln.formats.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary files of conversions in progress ({@code *.partial}, intermediates), deleted
 * by a JVM shutdown hook when the process ends before they are committed or removed — so
 * SIGTERM and Ctrl-C (SIGINT), which run shutdown hooks, leave nothing behind. SIGKILL runs no
 * hook; {@code kiln clean DIR} finds what it left by name. The hook is installed on the first
 * registration, once per JVM.
 */
public final class TemporaryFiles {
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hooked;

  private TemporaryFiles() {}

  /** Deletes {@code file} if the JVM shuts down before {@link #release} is called for it. */
  public static Path register(Path file) {
    if (!hooked) {
      installHook();
    }
    LIVE.add(file.toAbsolutePath());
    return file;
  }

  /** {@code file} was committed or deleted: the hook leaves it alone. */
  public static void release(Path file) {
    LIVE.remove(file.toAbsolutePath());
  }

  /** Deletes {@code file} now and releases it. */
  public static void delete(Path file) throws IOException {
    try {
      Files.deleteIfExists(file);
    } finally {
      release(file);
    }
  }

  private static synchronized void installHook() {
    if (!hooked) {
      Runtime.getRuntime().addShutdownHook(new Thread(TemporaryFiles::deleteAll,
          "kiln-temporary-files"));
      hooked = true;
    }
  }

  private static void deleteAll() {
    for (Path p : LIVE) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException | RuntimeException e) {
        // the JVM is exiting; a file that cannot be removed is for kiln clean
      }
    }
  }
}
