package dev.kiln.core.matrix;

import dev.kiln.api.BuildResult;
import java.util.List;
import java.util.Optional;

/**
 * How one matrix entry ended: the hosts it ran on (several when a host failed and it was
 * retried elsewhere), its result or its last error.
 */
public record EntryResult(MatrixEntry entry, List<String> hosts, Optional<BuildResult> result,
    Optional<String> error, boolean skipped) {
  public EntryResult {
    hosts = List.copyOf(hosts);
  }

  public boolean succeeded() {
    return result.isPresent();
  }
}
