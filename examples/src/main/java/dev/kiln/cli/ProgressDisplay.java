package dev.kiln.cli;

import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How the CLI shows long work, on standard error (standard output keeps the results). On a
 * terminal: live bars drawn by {@code me.tongfei:progressbar} (percentage, bytes, rate, ETA,
 * fitted to the terminal's width), a bar per stage with its elapsed time and the last line the
 * running command or console wrote, and log lines printed above the bars ({@link LiveBlock}).
 * Off a terminal (CI logs, pipes): one timestamped line when a stage or task starts and ends and
 * per 10 % or 30 s of a task. Quiet: nothing but what the caller prints itself.
 */
final class ProgressDisplay implements AutoCloseable {
  /** Where the display goes. */
  enum Mode { TERMINAL, LINES, QUIET }

  /** A piece of work on the display; closing it ends its bar or prints its last line. */
  interface Task extends AutoCloseable {
    /** {@code done} bytes of {@code total} (a total ≤ 0 is unknown). */
    void update(long done, long total);

    /** The last line of output of what this task runs, shown beside it on a terminal. */
    void note(String line);

    @Override
    void close();
  }

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss",
      Locale.ROOT);
  private final Mode mode;
  private final PrintWriter out;
  private final Clock clock;
  private final LiveBlock block;

  ProgressDisplay(Mode mode, PrintWriter out, Clock clock) {
    this.mode = mode;
    this.out = out;
    this.clock = clock;
    this.block = mode == Mode.TERMINAL ? new LiveBlock(out, LiveBlock.terminalWidth()) : null;
  }

  /**
   * A terminal when standard input and output both are one (Java's own test) and {@code TERM}
   * is not {@code dumb}; lines otherwise.
   */
  static Mode detect(boolean quiet) {
    if (quiet) {
      return Mode.QUIET;
    }
    return System.console() != null && !"dumb".equals(System.getenv("TERM")) ? Mode.TERMINAL
        : Mode.LINES;
  }

  Mode mode() {
    return mode;
  }

  /** One log line: above the bars on a terminal, timestamped in a log, nothing when quiet. */
  void println(String line) {
    switch (mode) {
      case TERMINAL -> block.println(line);
      case LINES -> out.println(stamp() + line);
      case QUIET -> { }
    }
  }

  /** A task measured in bytes, e.g. a download or a conversion. */
  Task bytes(String name, long total) {
    return switch (mode) {
      case TERMINAL -> new BarTask(name, total, false);
      case LINES -> new LineTask(name, total);
      case QUIET -> NO_TASK;
    };
  }

  /** A stage: its elapsed time and, on a terminal, the last line of what it runs. */
  Task stage(String name) {
    return switch (mode) {
      case TERMINAL -> new BarTask(name, -1, true);
      case LINES, QUIET -> NO_TASK;
    };
  }

  @Override
  public void close() {
    if (block != null) {
      block.close();
    }
  }

  private String stamp() {
    return TIME.format(clock.instant().atZone(ZoneId.systemDefault())) + " ";
  }

  private static final Task NO_TASK = new Task() {
    @Override
    public void update(long done, long total) { }

    @Override
    public void note(String line) { }

    @Override
    public void close() { }
  };

  /** A bar of the library, its rendered text kept in the live block. */
  private final class BarTask implements Task {
    private final ProgressBar bar;
    private final LiveBlock.Line line;

    BarTask(String name, long total, boolean stage) {
      line = block.add();
      ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(name)
          .setInitialMax(total > 0 ? total : -1).setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250).continuousUpdate()
          .setConsumer(new DelegatingProgressBarConsumer(line::set, block.width()));
      if (stage) {
        // the library's indefinite bar reads "? % [=  ] 0/?": a stage shows its name, its
        // elapsed time and the last line of what runs in it
        b.setRenderer((state, max) -> fit(state.getTaskName() + " "
            + elapsed(state.getTotalElapsed()) + (state.getExtraMessage().isEmpty() ? ""
                : "  " + state.getExtraMessage()), max));
      } else {
        // a small file (an uploaded script) in KiB: "0/0 MiB, ? MiB/s" tells nothing
        if (total > 0 && total < 4L << 20) {
          b.setUnit(" KiB", 1 << 10).showSpeed(new DecimalFormat("0"));
        } else {
          b.setUnit(" MiB", 1 << 20).showSpeed(new DecimalFormat("0.0"));
        }
      }
      bar = b.build();
    }

    @Override
    public void update(long done, long total) {
      if (total > 0 && total != bar.getMax()) {
        bar.maxHint(total);
      }
      bar.stepTo(done);
    }

    @Override
    public void note(String text) {
      bar.setExtraMessage(LiveBlock.printable(text));
    }

    @Override
    public void close() {
      bar.close();
      block.remove(line);
    }
  }

  private static String fit(String text, int max) {
    return text.length() > max ? text.substring(0, Math.max(0, max)) : text;
  }

  private static String elapsed(Duration d) {
    long s = d.toSeconds();
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  /** A task in a log: a line at start, per 10 % or 30 s, and at the end. */
  private final class LineTask implements Task {
    private final String name;
    private final Instant start;
    private long total;
    private long done;
    private long lastTenth = -1;
    private Instant lastLine;

    LineTask(String name, long total) {
      this.name = name;
      this.total = total;
      this.start = clock.instant();
      this.lastLine = start;
      println(name + ": started" + (total > 0 ? ", " + Sizes.human(total) : ""));
    }

    @Override
    public void update(long done, long total) {
      this.done = done;
      if (total > 0) {
        this.total = total;
      }
      Instant now = clock.instant();
      long tenth = this.total > 0 ? done * 10 / this.total : -1;
      boolean step = tenth > lastTenth && tenth > 0 && tenth < 10;
      if (step || Duration.between(lastLine, now).toSeconds() >= 30) {
        lastTenth = Math.max(lastTenth, tenth);
        lastLine = now;
        println(name + ": " + Sizes.progress(done, this.total, Duration.between(start, now)));
      }
    }

    @Override
    public void note(String line) { }

    @Override
    public void close() {
      Duration took = Duration.between(start, clock.instant());
      println(name + ": done, " + Sizes.human(done) + " in " + Sizes.seconds(took));
    }
  }
}
