package dev.kiln.api;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A Debian (or derivative) base system built from a package mirror with no vendor download.
 *
 * @param suite the release, e.g. {@code bookworm}
 * @param mirror the package mirror
 * @param packages extra packages included in the base system
 */
public record DebootstrapSource(String suite, URI mirror, List<String> packages)
    implements Source {
  /** Copies the package list; refuses a missing suite or mirror. */
  public DebootstrapSource {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(mirror, "mirror");
    packages = List.copyOf(packages);
  }
}
