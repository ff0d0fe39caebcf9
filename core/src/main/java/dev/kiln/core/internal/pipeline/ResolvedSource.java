package dev.kiln.core.internal.pipeline;

import java.nio.file.Path;

/**
 * The source stage's result: a bootable base disk ({@code qcow2} or {@code raw}), or an
 * installer ISO ({@code iso}) that the install stage turns into one.
 *
 * @param checksum {@code ALGORITHM:hex} of a downloaded file, empty for a debootstrap base
 */
record ResolvedSource(Path file, String format, String checksum) {
  boolean installer() {
    return format.equals("iso");
  }
}
