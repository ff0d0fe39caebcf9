package dev.kiln.cli;

import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A build's events on the display: a header line per stage with its elapsed time when it ends;
 * on a terminal a live bar per running stage (elapsed time, the last line the running command
 * or the console wrote) and per byte task (downloads, uploads, exports: bytes, rate, ETA); in a
 * log a timestamped line per stage and per 10 % or 30 s of a task. {@code verbose} also prints
 * every command output and console line; {@code console} the console lines only.
 */
final class BuildProgressView {
  private final ProgressDisplay display;
  private final boolean verbose;
  private final boolean console;
  private final boolean prefixed;
  private final Map<String, ProgressDisplay.Task> stages = new ConcurrentHashMap<>();
  private final Map<String, ProgressDisplay.Task> tasks = new ConcurrentHashMap<>();
  private final Map<String, String> current = new ConcurrentHashMap<>();

  BuildProgressView(ProgressDisplay display, boolean verbose, boolean console,
      boolean prefixed) {
    this.display = display;
    this.verbose = verbose;
    this.console = console;
    this.prefixed = prefixed;
  }

  EventHandlers handlers() {
    return EventHandlers.builder()
        .add(KilnEvent.StageStarted.class, this::started)
        .add(KilnEvent.StageFinished.class, this::finished)
        .add(KilnEvent.Warning.class, w -> display.println(prefix(w.buildId()) + "warning: "
            + w.message()))
        .add(KilnEvent.ByteProgress.class, this::bytes)
        .add(KilnEvent.CommandOutput.class, c -> {
          note(c.buildId(), c.line());
          if (verbose) {
            display.println(prefix(c.buildId()) + "  | " + c.line());
          }
        })
        .add(KilnEvent.ConsoleLine.class, l -> {
          note(l.buildId(), "console: " + l.line());
          if (verbose || console) {
            display.println(prefix(l.buildId()) + "  console| " + l.line());
          }
        })
        .build();
  }

  /** The stage {@code buildId} is in, e.g. "[provision]", or "the start" before the first. */
  String stage(String buildId) {
    return current.getOrDefault(buildId, "the start");
  }

  private void started(KilnEvent.StageStarted e) {
    String name = "[" + e.stage().name().toLowerCase(Locale.ROOT) + "]";
    current.put(e.buildId(), name);
    display.println(prefix(e.buildId()) + name + " started");
    ProgressDisplay.Task before = stages.put(e.buildId(), display.stage(prefix(e.buildId())
        + name));
    if (before != null) {
      before.close();
    }
  }

  private void finished(KilnEvent.StageFinished e) {
    ProgressDisplay.Task stage = stages.remove(e.buildId());
    if (stage != null) {
      stage.close();
    }
    tasks.entrySet().removeIf(t -> {
      if (t.getKey().startsWith(e.buildId() + "\u0000")) {
        t.getValue().close();
        return true;
      }
      return false;
    });
    display.println(String.format(Locale.ROOT, "%s[%s] %s in %.1f s", prefix(e.buildId()),
        e.stage().name().toLowerCase(Locale.ROOT), e.succeeded() ? "done" : "FAILED",
        e.elapsed().toMillis() / 1000.0));
  }

  private void bytes(KilnEvent.ByteProgress p) {
    String key = p.buildId() + "\u0000" + p.task();
    ProgressDisplay.Task t = tasks.computeIfAbsent(key, k -> display.bytes(prefix(p.buildId())
        + "  " + p.task(), p.total()));
    t.update(p.done(), p.total());
    if (p.total() > 0 && p.done() >= p.total() && tasks.remove(key) != null) {
      t.close();
    }
  }

  private void note(String buildId, String line) {
    ProgressDisplay.Task stage = stages.get(buildId);
    if (stage != null && !line.isBlank()) {
      stage.note(line);
    }
  }

  /** In a matrix, lines name their build; a single build needs no prefix. */
  private String prefix(String buildId) {
    return prefixed ? buildId + " " : "";
  }
}
