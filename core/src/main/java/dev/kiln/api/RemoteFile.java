package dev.kiln.api;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A file Kiln fetches or takes from disk: mirror URLs tried in order, or a local path, verified
 * against an inline checksum or the distribution's checksum file (SUMS).
 *
 * @param urls mirrors, tried in order; empty when {@code path} is set
 * @param path a local copy; used instead of downloading
 * @param checksum the expected digest
 * @param checksumFile a SHA256SUMS-style file listing the digest (clear-signed or not)
 */
public record RemoteFile(
    List<URI> urls, Optional<Path> path, Optional<Checksum> checksum, Optional<URI> checksumFile) {
  public RemoteFile {
    urls = List.copyOf(urls);
    if (urls.isEmpty() && path.isEmpty()) {
      throw new IllegalArgumentException("a file needs at least one URL or a local path");
    }
  }
}
