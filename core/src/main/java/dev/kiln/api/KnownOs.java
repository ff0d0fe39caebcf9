package dev.kiln.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What recipe validation knows of one OS of a catalog: its versions, whether a Debian package
 * mirror can build it (the {@code debootstrap} source, apt-based systems only) and which
 * registration its vendor's repositories need before the guest can install packages.
 *
 * @param registration what {@code answers.registration.key} is for this OS, e.g.
 *     {@code activation-key} (RHEL) or {@code regcode} (SLES); empty when none is needed
 */
public record KnownOs(String id, List<String> versions, boolean debootstrap,
    Optional<String> registration) {
  public KnownOs {
    Objects.requireNonNull(id, "id");
    versions = List.copyOf(versions);
    Objects.requireNonNull(registration, "registration");
  }
}
