package dev.kiln.core.internal.pipeline;

import dev.kiln.api.Recipe;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.spi.HypervisorProvider;
import dev.kiln.spi.OsProfile;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything one build needs, resolved before it starts (the OS profile included).
 *
 * @param allowPrivateKeys report private-key material found in the exported disk as warnings
 *     instead of failing the export
 * @param verify boot the exported template as a new CloudStack VM and check it
 * @param signingKey the Ed25519 key the provenance is signed with (none: no provenance)
 * @param recipeFile the file the recipe was read from, named with its digest in the provenance
 * @param queueWait how long the build waited for a host before it started (matrix entries)
 * @param failurePause called when a stage fails with its machine running, before cleanup
 * @param stepCacheBytes the step cache's size cap; 0: no step cache
 */
public record BuildSettings(Recipe recipe, String buildId, Path workRoot, Path outputDirectory,
    HypervisorProvider hypervisors, OsProfile profile, PublishRouting publishing,
    EventHandlers events, boolean keepOnError, Duration installTimeout, Duration sshTimeout,
    Optional<Integer> packageProxyPort, Clock clock, GuestConnector connector,
    boolean allowPrivateKeys, boolean verify, Duration queueWait,
    Optional<java.security.PrivateKey> signingKey, Optional<Path> recipeFile,
    Optional<dev.kiln.api.FailurePause> failurePause, long stepCacheBytes) {
  @Override
  public String toString() { // the signing key never reaches a log
    return "BuildSettings[" + buildId + ", recipe " + recipe.name() + ", signed "
        + signingKey.isPresent() + "]";
  }
}
