package dev.kiln.api;

import java.util.Objects;

/** Install from the distribution's installer ISO with a rendered answer file. */
public record IsoSource(RemoteFile iso) implements Source {
  /** Refuses a missing ISO. */
  public IsoSource {
    Objects.requireNonNull(iso, "iso");
  }
}
