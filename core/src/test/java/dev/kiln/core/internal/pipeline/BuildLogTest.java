package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build.log: events before the directory exists are kept, secrets are masked, progress thinned. */
class BuildLogTest {
  @TempDir
  Path dir;

  @Test
  void writesEveryKindOfEventMaskingTheRecipesSecrets() throws Exception {
    Instant t = Instant.parse("2026-12-03T10:00:00Z");
    try (BuildLog log = new BuildLog(List.of("Tr0ub4dor&3", "abc"))) {
      log.accept(new KilnEvent.StageStarted("b", t, Stage.SOURCE));
      log.open(dir);
      for (int i = 0; i <= 100; i++) {
        log.accept(new KilnEvent.ByteProgress("b", t, Stage.SOURCE, "download x", i, 100));
      }
      log.accept(new KilnEvent.CommandOutput("b", t, "chpasswd", KilnEvent.OutputStream.STDERR,
          "echo 'root:Tr0ub4dor&3' | chpasswd; abc stays"));
      log.accept(new KilnEvent.Warning("b", t, "accel.fallback", "KVM unusable: TCG"));
      log.accept(new KilnEvent.StageFinished("b", t, Stage.SOURCE, Duration.ofMillis(1500),
          true));
    }
    List<String> lines = Files.readAllLines(dir.resolve("build.log"));
    assertThat(lines.get(0)).isEqualTo("2026-12-03T10:00:00Z [source] started");
    assertThat(lines).contains("2026-12-03T10:00:00Z stderr| echo 'root:****' | chpasswd; "
        + "abc stays", "2026-12-03T10:00:00Z warning accel.fallback: KVM unusable: TCG",
        "2026-12-03T10:00:00Z [source] done in 1.5 s");
    // one line per tenth of a task, not per event
    assertThat(lines.stream().filter(l -> l.contains("download x"))).hasSize(11);
    assertThat(String.join("\n", lines)).doesNotContain("Tr0ub4dor");
  }
}
