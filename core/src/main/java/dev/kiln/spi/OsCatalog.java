package dev.kiln.spi;

import dev.kiln.api.OsSelection;
import java.util.Optional;

/**
 * The operating systems a build can install: an OS selection to its profile. Kiln's built-in
 * catalog (module {@code templates}) registers one for {@link java.util.ServiceLoader}; an
 * embedder can pass its own, or a method reference such as {@code catalog::profile}.
 */
@FunctionalInterface
public interface OsCatalog {
  /** The profile for {@code os}, or empty when this catalog does not know it. */
  Optional<OsProfile> profile(OsSelection os);
}
