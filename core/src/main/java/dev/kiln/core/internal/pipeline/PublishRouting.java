package dev.kiln.core.internal.pipeline;

import dev.kiln.api.PublishException;
import dev.kiln.api.PublishTarget;
import dev.kiln.spi.Publisher;
import dev.kiln.spi.PublisherProvider;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which publisher takes each of a recipe's publish targets: an explicitly given publisher
 * takes all; otherwise the first provider that handles the target, one publisher per provider
 * and profile ({@code profileOverride}, when set, replaces every target's profile).
 */
public final class PublishRouting {
  private final boolean enabled;
  private final Optional<Publisher> fixed;
  private final List<PublisherProvider> providers;
  private final Optional<String> profileOverride;
  private final Map<String, Publisher> opened = new HashMap<>();

  public PublishRouting(boolean enabled, Optional<Publisher> fixed,
      List<PublisherProvider> providers, Optional<String> profileOverride) {
    this.enabled = enabled;
    this.fixed = fixed;
    this.providers = List.copyOf(providers);
    this.profileOverride = profileOverride;
  }

  /** No publishing. */
  public static PublishRouting none() {
    return new PublishRouting(false, Optional.empty(), List.of(), Optional.empty());
  }

  public boolean enabled() {
    return enabled;
  }

  /** {@code target} with the override's profile, when there is one. */
  public PublishTarget effective(PublishTarget target) {
    return profileOverride.map(p -> new PublishTarget(p, target.zones(), target.osType(),
        target.mode(), target.serveFrom(), target.smokeOffering(), target.keep()))
        .orElse(target);
  }

  /** The publisher for {@code target} (already {@linkplain #effective effective}). */
  public synchronized Publisher publisherFor(PublishTarget target, String family,
      String version) throws PublishException {
    if (fixed.isPresent()) {
      return fixed.get();
    }
    for (PublisherProvider p : providers) {
      if (p.handles(target)) {
        String key = p.name() + "\n" + target.profile();
        Publisher publisher = opened.get(key);
        if (publisher == null) {
          publisher = p.open(target, family, version);
          opened.put(key, publisher);
        }
        return publisher;
      }
    }
    throw new PublishException("no publisher handles the target with profile '"
        + target.profile() + "'" + (providers.isEmpty() ? " (no publisher module on the "
        + "class path; add kiln-cloudstack)" : ""));
  }
}
