package dev.kiln.spi;

import dev.kiln.api.OutputSpec;
import dev.kiln.api.PublishException;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.event.EventHandlers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Hands a build's artifacts to a cloud and returns what was created there. */
public interface Publisher {
  /**
   * A written artifact with its checksums (algorithm name to lower-case hex) and the SHA-256 of
   * the files that describe it ({@code sbom}, {@code provenance}), which a publisher attaches
   * to what it creates so the cloud's copy leads back to them.
   */
  record Artifact(Path file, OutputSpec spec, long size, Map<String, String> checksums,
      Map<String, String> attestations) {
    public Artifact {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(spec, "spec");
      checksums = Map.copyOf(checksums);
      attestations = Map.copyOf(attestations);
    }

    /** An artifact without attestations. */
    public Artifact(Path file, OutputSpec spec, long size, Map<String, String> checksums) {
      this(file, spec, size, checksums, Map.of());
    }
  }

  /** Publishes every artifact to {@code target}; idempotent across re-runs of one build. */
  List<PublishedTemplate> publish(String buildId, List<Artifact> artifacts, PublishTarget target,
      EventHandlers events) throws PublishException, InterruptedException;
}
