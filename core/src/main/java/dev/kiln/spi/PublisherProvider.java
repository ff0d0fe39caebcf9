package dev.kiln.spi;

import dev.kiln.api.PublishException;
import dev.kiln.api.PublishTarget;

/**
 * Opens publishers for a recipe's publish targets. Found with {@link java.util.ServiceLoader}
 * (module {@code cloudstack} registers CloudStack's); a build routes each target to the first
 * provider that {@linkplain #handles handles} it and opens one publisher per profile.
 */
public interface PublisherProvider {
  /** A short name for messages, e.g. {@code cloudstack}. */
  String name();

  /** Whether this provider publishes to {@code target}. */
  boolean handles(PublishTarget target);

  /**
   * A publisher for {@code target}'s profile.
   *
   * @param templateFamily the name templates of this recipe share across versions
   * @param version this build's version of the family (the build id)
   */
  Publisher open(PublishTarget target, String templateFamily, String version)
      throws PublishException;
}
