package dev.kiln.formats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything Kiln knows about one image format, in one place: how to recognise it from its
 * content, its file extensions, how to open, inspect and write it. A format package holds one
 * codec; {@code dev.kiln.formats.registry.FormatRegistry} lists them, and the recipe reader,
 * the CLI and the publisher resolve names and extensions through it.
 *
 * @param <O> the format's own writer options
 */
public interface FormatCodec<O extends WriterOptions> {
  /** The format this codec reads and writes. */
  ImageFormat format();

  /** The largest virtual disk the format holds, in bytes ({@link FormatLimits#check}). */
  long maxVirtualSize();

  /** File-name extensions without the dot, the usual one first ({@code raw}, {@code img}). */
  List<String> extensions();

  /**
   * Whether this is a container of disks (an OVA) rather than a disk: it cannot be opened as
   * one disk, is written from a disk by its own writer, and is never packaged further.
   */
  default boolean isContainer() {
    return false;
  }

  /** Whether the file {@code head} begins is in this format, judged by its magic numbers. */
  boolean recognises(FileHead head) throws IOException;

  /** Opens {@code file} as a sparse random-access disk. */
  DiskImage open(Path file) throws IOException;

  /**
   * Checks every structure of {@code file}, listing each problem found (a corrupt header is one
   * problem, not an exception); reading stays bounded by the file's size.
   */
  ImageReport inspect(Path file) throws IOException;

  /** The options an artifact named {@code artifactName} gets when the caller gives none. */
  O defaultOptions(String artifactName);

  /** The options type, so a caller holding options of several formats can pick this one's. */
  Class<O> optionsType();

  /**
   * A writer of a {@code size}-byte disk into {@code file}.
   *
   * @throws UnsupportedFeatureException for a container, which is written from a disk image
   */
  DiskWriter writer(Path file, long size, O options) throws IOException;
}
