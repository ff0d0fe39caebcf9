package dev.kiln.api;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where the artifacts are registered as CloudStack templates.
 *
 * @param profile the cloudmonkey ({@code ~/.cmk/config}) profile holding URL and keys
 * @param zones zone names or ids; empty means all zones
 * @param osType CloudStack OS type description, e.g. {@code Debian GNU/Linux 12 (64-bit)}
 * @param mode register by URL from Kiln's artifact server, or upload
 * @param serveFrom the address Kiln's artifact server listens on, for {@link Mode#URL}
 * @param smokeOffering service offering of a VM deployed to smoke-test the template
 * @param keep how many versions of this template family to keep
 */
public record PublishTarget(
    String profile, List<String> zones, String osType, Mode mode, Optional<URI> serveFrom,
    Optional<String> smokeOffering, OptionalInt keep) {
  /** How CloudStack receives the file. */
  public enum Mode {
    URL,
    UPLOAD
  }

  public PublishTarget {
    Objects.requireNonNull(profile, "profile");
    zones = List.copyOf(zones);
    Objects.requireNonNull(osType, "osType");
    Objects.requireNonNull(mode, "mode");
    if (mode == Mode.URL && serveFrom.isEmpty()) {
      throw new IllegalArgumentException("URL registration needs serveFrom");
    }
  }
}
