package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an interrupted build leaves in the work root besides its machine (which the machine's
 * own reaper and {@code kiln clean} handle): an empty build directory, and a partial download
 * in the content cache, kept on purpose because the next build resumes it with a Range request.
 */
final class WorkRootLeftovers {
  private WorkRootLeftovers() {}

  /** Build directories under {@code workRoot/builds} that hold nothing. */
  static List<Path> emptyBuildDirectories(Path workRoot) throws IOException {
    return buildDirectories(workRoot, d -> {
      try (DirectoryStream<Path> inside = Files.newDirectoryStream(d)) {
        return !inside.iterator().hasNext();
      } catch (IOException e) {
        return false;
      }
    });
  }

  /** Build directories (logs of finished or stopped builds) that no running build writes. */
  static List<Path> finishedBuildDirectories(Path workRoot) throws IOException {
    java.util.Set<Path> open = PartialFiles.openFiles();
    return buildDirectories(workRoot, d -> {
      Path dir = d.toAbsolutePath().normalize();
      return open.stream().noneMatch(f -> f.startsWith(dir));
    });
  }

  private static List<Path> buildDirectories(Path workRoot,
      java.util.function.Predicate<Path> which) throws IOException {
    List<Path> out = new ArrayList<>();
    Path builds = workRoot.resolve("builds");
    if (!Files.isDirectory(builds)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(builds)) {
      for (Path d : dirs) {
        if (Files.isDirectory(d) && which.test(d)) {
          out.add(d);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Partial downloads in the content cache that no running process is writing. */
  static List<Path> partialDownloads(Path workRoot) throws IOException {
    return partialDownloads(workRoot, false);
  }

  /** As {@link #partialDownloads(Path)}, counting this JVM's own as left (it is exiting). */
  static List<Path> partialDownloads(Path workRoot, boolean exceptThisProcess)
      throws IOException {
    List<Path> out = new ArrayList<>();
    Path objects = workRoot.resolve("cache").resolve("objects");
    if (!Files.isDirectory(objects)) {
      return out;
    }
    try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(objects)) {
      for (Path a : algorithms) {
        if (Files.isDirectory(a)) {
          out.addAll(PartialFiles.abandoned(a, exceptThisProcess));
        }
      }
    }
    out.sort(null);
    return out;
  }
}
