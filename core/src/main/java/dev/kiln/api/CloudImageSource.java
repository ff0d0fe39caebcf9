package dev.kiln.api;

import java.util.Objects;

/** Start from the vendor's cloud image (qcow2 or raw), configured through a NoCloud seed. */
public record CloudImageSource(RemoteFile image) implements Source {
  /** Refuses a missing image. */
  public CloudImageSource {
    Objects.requireNonNull(image, "image");
  }
}
