package dev.kiln.core.internal.recipe;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files a recipe names relative to its own folder; with {@code check}, one that cannot be read
 * is a problem at its key (what {@code build} would refuse, found by {@code recipe validate}).
 */
record LocalFiles(Path baseDir, boolean check) {
  Path resolve(MapReader m, String key, String relative) {
    Path file = baseDir.resolve(relative);
    if (check && !Files.isReadable(file)) {
      m.problem(key, "no readable file " + file + " (relative paths start at the recipe's "
          + "folder)");
    }
    return file;
  }
}
