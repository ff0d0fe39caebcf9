package dev.kiln.core.internal.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A template placed where QEMU, which runs as another user, can read it: hard-linked (no
 * copy, same bytes) into a directory of Kiln's, or copied when the link cannot be made (another
 * filesystem). The user's output directory may sit under a private home.
 */
public final class ReachableImage {
  private ReachableImage() {}

  /** Links or copies {@code template} to {@code target} (replaced if present). */
  public static Path place(Path template, Path target) throws IOException {
    Files.deleteIfExists(target);
    try {
      Files.createLink(target, template.toAbsolutePath());
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(template, target);
    }
    return target;
  }
}
