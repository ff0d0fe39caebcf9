package dev.kiln.api;

import dev.kiln.api.event.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a build produced: its artifacts with size and checksums, the time each stage took, the
 * manifest, and the CloudStack templates when published.
 */
public record BuildResult(String buildId, List<Artifact> artifacts, Map<Stage, Duration> stageTimes,
    Path manifest, List<PublishedTemplate> published, boolean installReused) {
  /** Copies the lists and map, so a result never changes. */
  public BuildResult {
    artifacts = List.copyOf(artifacts);
    stageTimes = Map.copyOf(stageTimes);
    published = List.copyOf(published);
  }

  /** One artifact. */
  public record Artifact(OutputSpec spec, Path file, long size, Map<String, String> checksums) {
    /** Copies the checksums, so an artifact never changes. */
    public Artifact {
      checksums = Map.copyOf(checksums);
    }
  }
}
