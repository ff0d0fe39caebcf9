package dev.kiln.formats.pack;

import java.nio.file.Path;
import java.util.Map;

/**
 * A finished artifact as it will be downloaded.
 *
 * @param file where it is
 * @param size its size in bytes
 * @param checksums MD5, SHA-256 and SHA-512 of those bytes (lower-case hex)
 */
public record PackagedFile(Path file, long size, Map<String, String> checksums) {
  public PackagedFile {
    checksums = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(checksums));
  }
}
