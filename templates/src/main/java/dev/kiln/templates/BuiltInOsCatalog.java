package dev.kiln.templates;

import dev.kiln.api.OsSelection;
import dev.kiln.spi.OsCatalog;
import dev.kiln.spi.OsProfile;
import java.util.Optional;

/** The built-in catalog ({@link Catalog#builtIn()}) as a ServiceLoader-found OS catalog. */
public final class BuiltInOsCatalog implements OsCatalog {
  private final Catalog catalog = Catalog.builtIn();

  @Override
  public Optional<OsProfile> profile(OsSelection os) {
    return catalog.profile(os);
  }
}
