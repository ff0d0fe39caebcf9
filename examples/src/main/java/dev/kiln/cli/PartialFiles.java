package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code *.partial} files a killed conversion or export left in an output directory. A
 * partial file that a running process still holds open (seen through {@code /proc/PID/fd}) is
 * someone's work in progress and is left alone.
 */
final class PartialFiles {
  private PartialFiles() {}

  /** The partial files directly in {@code dir} that no process has open. */
  static List<Path> abandoned(Path dir) throws IOException {
    return abandoned(dir, false);
  }

  /**
   * As {@link #abandoned(Path)}; with {@code exceptThisProcess} the files this JVM holds open
   * count as abandoned too (what a shutdown hook leaves behind as it exits).
   */
  static List<Path> abandoned(Path dir, boolean exceptThisProcess) throws IOException {
    Set<Path> open = openFiles(exceptThisProcess ? ProcessHandle.current().pid() : -1);
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.partial")) {
      for (Path f : files) {
        if (Files.isRegularFile(f) && !open.contains(f.toAbsolutePath().normalize())) {
          out.add(f);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Every file some running process holds open (one walk of /proc). */
  static Set<Path> openFiles() {
    return openFiles(-1);
  }

  private static Set<Path> openFiles(long skipPid) {
    Set<Path> open = new HashSet<>();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        if (proc.getFileName().toString().equals(Long.toString(skipPid))) {
          continue;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              open.add(Files.readSymbolicLink(fd).toAbsolutePath().normalize());
            } catch (IOException | UnsupportedOperationException e) {
              // the descriptor closed meanwhile, or is not a file
            }
          }
        } catch (IOException e) {
          // the process ended meanwhile, or is not ours to read
        }
      }
    } catch (IOException e) {
      // no /proc: every partial file counts as abandoned
    }
    return open;
  }
}
