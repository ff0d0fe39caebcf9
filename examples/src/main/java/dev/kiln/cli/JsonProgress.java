package dev.kiln.cli;

import dev.kiln.formats.convert.ConversionProgress;
import java.util.Locale;
import java.util.Map;

/** A conversion's progress as JSON lines: at each phase's start and end, else every 500 ms. */
final class JsonProgress implements ConversionProgress {
  private final JsonLines lines;
  private Phase phase;
  private long lastNanos;

  JsonProgress(JsonLines lines) {
    this.lines = lines;
  }

  @Override
  public void update(Phase p, long done, long total) {
    long now = System.nanoTime();
    if (p != phase || done >= total || now - lastNanos > 500_000_000L) {
      phase = p;
      lastNanos = now;
      lines.line("conversion-progress", Map.of("phase", p.name().toLowerCase(Locale.ROOT),
          "done", done, "total", total));
    }
  }
}
