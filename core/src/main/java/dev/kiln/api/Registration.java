package dev.kiln.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Vendor registration for installers that need it: RHEL (organization + activation key) and
 * SLES (registration code, optional e-mail). The key is a {@link Secret}; it reaches the answer
 * file and nothing else.
 *
 * @param organization RHEL organization id, or the SUSE Customer Center e-mail
 * @param key activation key (RHEL) or registration code (SLES)
 */
public record Registration(Optional<String> organization, Secret key) {
  public Registration {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(key, "key");
  }
}
