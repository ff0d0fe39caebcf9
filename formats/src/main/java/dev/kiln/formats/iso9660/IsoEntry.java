package dev.kiln.formats.iso9660;

import java.util.List;
import java.util.Optional;

/**
 * A file, directory or link as an ISO reader presents it, named from Rock Ridge when present,
 * else Joliet, else the primary identifier without its version.
 *
 * @param path slash-separated path from the root, e.g. {@code install.amd/vmlinuz}
 * @param directory whether it is a directory
 * @param size size in bytes (sum of all extents for multi-extent files)
 * @param extents the file's extents as (first sector, length in bytes) pairs
 * @param linkTarget the Rock Ridge symbolic link target, if it is a link
 * @param mode the Rock Ridge POSIX mode, or 0 when absent
 */
public record IsoEntry(String path, boolean directory, long size, List<long[]> extents,
    Optional<String> linkTarget, int mode) {
  public IsoEntry {
    extents = List.copyOf(extents);
  }

  /** The last path component. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
