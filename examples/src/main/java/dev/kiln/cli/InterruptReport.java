package dev.kiln.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What Ctrl-C (or SIGTERM) during {@code kiln build} prints and tidies, from a shutdown hook:
 * the live display is cleared, the stage it stopped in is named, the build's machine is left to
 * its own reaper (another hook, running meanwhile), the build directory goes when it is empty,
 * and a partial download is named as kept (the next build resumes it; {@code kiln clean
 * --downloads} removes it). Removed again when the build ends normally.
 */
final class InterruptReport implements AutoCloseable {
  private final Thread hook;

  InterruptReport(PrintWriter err, ProgressDisplay display, Path workRoot, String buildId,
      Supplier<String> stage) {
    hook = new Thread(() -> {
      display.close();
      err.println();
      err.println("kiln build: interrupted during " + stage.get() + "; stopping the build "
          + "machine, if one runs, and removing its disks");
      Path dir = workRoot.resolve("builds").resolve(buildId);
      try {
        if (Files.isDirectory(dir) && WorkRootLeftovers.emptyBuildDirectories(workRoot)
            .contains(dir)) {
          Files.deleteIfExists(dir);
        } else if (Files.isDirectory(dir)) {
          err.println("kiln build: kept the build's log " + dir.resolve("build.log")
              + " (kiln clean --builds removes the directories of stopped builds)");
        }
        for (Path p : WorkRootLeftovers.partialDownloads(workRoot, true)) {
          err.println("kiln build: kept the partial download " + p + " (" + Sizes.human(
              Files.size(p)) + "): the next build resumes it; kiln clean --downloads "
              + "removes it");
        }
      } catch (IOException e) {
        err.println("kiln build: could not tidy " + workRoot + ": " + IoErrors.sentence(e));
      }
      err.flush();
    }, "kiln-interrupt-report");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook runs
    }
  }
}
