package dev.kiln.core.internal.pipeline;

import dev.kiln.api.event.KilnEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code build.log} in the build directory, next to the console logs: every event of the build
 * as one timestamped line — stages and their times, warnings, byte progress per 10 %, every
 * line the build's commands and the console wrote — for a support ticket. Events come before the
 * directory exists (the source stage makes it), so they wait in memory until {@link #open}.
 * Values of the recipe's secrets are replaced by {@code ****} (events should never carry them;
 * this is the second line of defence).
 */
final class BuildLog implements AutoCloseable {
  private final List<String> secrets;
  private final List<String> pending = new ArrayList<>();
  private final java.util.Map<String, Long> lastTenth = new java.util.HashMap<>();
  private BufferedWriter out;
  private boolean closed;

  BuildLog(List<String> secrets) {
    this.secrets = secrets.stream().filter(s -> s.length() >= 4).toList();
  }

  synchronized void open(Path dir) throws IOException {
    out = Files.newBufferedWriter(dir.resolve("build.log"), StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    for (String line : pending) {
      out.write(line);
      out.newLine();
    }
    pending.clear();
    out.flush();
  }

  /** {@code text} with every secret's value replaced by {@code ****}. */
  String mask(String text) {
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, "****");
    }
    return out;
  }

  synchronized void accept(KilnEvent e) {
    String line = format(e);
    if (line == null || closed) {
      return;
    }
    line = mask(line);
    if (out == null) {
      pending.add(line);
      return;
    }
    try {
      out.write(line);
      out.newLine();
      out.flush();
    } catch (IOException ex) {
      // a full disk must not fail the build over its log: the events still reach the caller
      closed = true;
    }
  }

  private String format(KilnEvent e) {
    if (e instanceof KilnEvent.StageStarted s) {
      return s.time() + " [" + stage(s.stage()) + "] started";
    }
    if (e instanceof KilnEvent.StageFinished s) {
      return s.time() + " [" + stage(s.stage()) + "] " + (s.succeeded() ? "done" : "FAILED")
          + " in " + String.format(Locale.ROOT, "%.1f s", s.elapsed().toMillis() / 1000.0);
    }
    if (e instanceof KilnEvent.Warning w) {
      return w.time() + " warning " + w.code() + ": " + w.message();
    }
    if (e instanceof KilnEvent.CommandOutput c) {
      return c.time() + " " + (c.stream() == KilnEvent.OutputStream.STDERR ? "stderr| "
          : "stdout| ") + c.line();
    }
    if (e instanceof KilnEvent.ConsoleLine c) {
      return c.time() + " console " + c.machine() + "| " + c.line();
    }
    if (e instanceof KilnEvent.MediaPlaced m) {
      return m.time() + " media " + m.file() + " (sha256 " + m.sha256() + ", " + m.bytes()
          + " bytes) " + (m.reused() ? "reused from" : "uploaded to") + " the media cache of "
          + m.host();
    }
    if (e instanceof KilnEvent.StepsReused r) {
      return r.time() + " step cache: " + (r.reused() == 0 ? "no step of " + r.steps()
          + " cached; every step runs" : "steps 1-" + r.reused() + " of " + r.steps()
          + " reused (layer " + r.key().substring(0, 16) + ")");
    }
    if (e instanceof KilnEvent.ByteProgress p) {
      long tenth = p.total() > 0 ? p.done() * 10 / p.total() : -1;
      Long before = lastTenth.put(p.task(), tenth);
      return before != null && before == tenth ? null : p.time() + " " + p.task() + ": "
          + p.done() + (p.total() > 0 ? " of " + p.total() : "") + " bytes";
    }
    return e.time() + " " + e;
  }

  private static String stage(dev.kiln.api.event.Stage s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    if (out != null) {
      out.close();
    }
  }
}
