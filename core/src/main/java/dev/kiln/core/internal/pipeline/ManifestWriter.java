package dev.kiln.core.internal.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes {@code manifest.json} atomically (a partial file, then a rename). */
public final class ManifestWriter {
  static final String FILE = "manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestWriter() {}

  /** Writes {@code manifest} into {@code directory} and returns the file. */
  public static Path write(BuildManifest manifest, Path directory) throws IOException {
    Files.createDirectories(directory);
    Path file = directory.resolve(FILE);
    Path tmp = directory.resolve(FILE + ".partial");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(manifest));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return file;
  }
}
