package dev.kiln.core.history;

import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Build summaries shaped like real ones (times and sizes from builds in this repo's VM tests). */
final class HistoryFixtures {
  static final Instant DAY = Instant.parse("2026-12-01T08:00:00Z");

  private HistoryFixtures() {}

  static BuildSummary debian(int hour, long seconds, Optional<Stage> failed, long qcow2Bytes) {
    boolean ok = failed.isEmpty();
    return new BuildSummary("0.1.0", "debian-12", "debian", "12", "localhost", "tcg",
        DAY.plus(Duration.ofHours(hour)), Duration.ofSeconds(seconds), ok, failed,
        Map.of(Stage.SOURCE, Duration.ofSeconds(31), Stage.CONNECT, Duration.ofSeconds(95),
            Stage.PROVISION, Duration.ofSeconds(seconds / 2)),
        ok ? List.of(new BuildSummary.Artifact("qcow2", "none", "debian-12.qcow2", qcow2Bytes,
            8L << 30)) : List.of(), 0, 0, 1, 0, Optional.empty(), Duration.ZERO,
        seconds * 1.7, 3L << 30);
  }

  static BuildSummary rocky(int hour, long seconds) {
    return new BuildSummary("0.1.0", "rocky-9", "rocky", "9", "builder-2", "kvm",
        DAY.plus(Duration.ofHours(hour)), Duration.ofSeconds(seconds), true, Optional.empty(),
        Map.of(Stage.INSTALL, Duration.ofSeconds(seconds - 60)), List.of(
            new BuildSummary.Artifact("vhd", "bz2", "rocky-9.vhd.bz2", 700L << 20, 10L << 30)),
        9L << 30, 0, 0, 1, Optional.of(false), Duration.ofSeconds(42), seconds * 1.1, 12L << 30);
  }
}
