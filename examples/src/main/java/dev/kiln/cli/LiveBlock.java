package dev.kiln.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bottom lines of a terminal that live progress bars redraw in place, with log lines
 * printed above them. {@code me.tongfei:progressbar} renders each bar (its text reaches
 * {@link Line#set} through the library's delegating consumer); the library has no way to print
 * a log line while bars are shown, so this class owns the few cursor movements that need: up to
 * the block's first line, rewrite, and leave the cursor under the block.
 */
final class LiveBlock implements AutoCloseable {
  private static final String CLEAR_LINE = "\u001b[2K";
  private final PrintWriter out;
  private final int width;
  private final List<Line> lines = new ArrayList<>();
  private int drawn;

  /** One line of the block. */
  final class Line {
    private String text = "";

    void set(String rendered) {
      synchronized (LiveBlock.this) {
        text = rendered;
        redraw();
      }
    }
  }

  LiveBlock(PrintWriter out, int width) {
    this.out = out;
    this.width = Math.max(20, width);
  }

  int width() {
    return width - 1;
  }

  synchronized Line add() {
    Line l = new Line();
    lines.add(l);
    return l;
  }

  /** Ends a line: its last text stays on the screen above the block, like a log line. */
  synchronized void remove(Line l) {
    if (lines.remove(l)) {
      up();
      write(l.text);
      drawLines();
    }
  }

  /**
   * A log line above the block. A long one is wrapped, not cut: it may be the ssh command that
   * reaches a kept machine. (Lines inside the block are cut, so the block keeps its height.)
   */
  synchronized void println(String line) {
    up();
    String t = printable(line);
    int chunk = width - 1;
    for (int i = 0; i < t.length() || i == 0; i += chunk) {
      write(t.substring(i, Math.min(t.length(), i + chunk)));
    }
    drawLines();
  }

  @Override
  public synchronized void close() {
    int n = drawn;
    up();
    for (int i = 0; i < n; i++) {
      out.print(CLEAR_LINE + "\n");
    }
    if (n > 0) {
      out.print("\u001b[" + n + "A");
    }
    lines.clear();
    out.flush();
  }

  private void redraw() {
    up();
    drawLines();
  }

  private void up() {
    out.print('\r');
    if (drawn > 0) {
      out.print("\u001b[" + drawn + "A");
    }
    drawn = 0;
  }

  private void drawLines() {
    for (Line l : lines) {
      write(l.text);
      drawn++;
    }
    out.flush();
  }

  private void write(String text) {
    String t = text.length() >= width ? text.substring(0, width - 1) : text;
    out.print(CLEAR_LINE + t + "\n");
  }

  /** {@code text} without control characters (a command's output may carry its own). */
  static String printable(String text) {
    return text.replaceAll("\u001b\\[[0-9;?]*[ -/]*[@-~]", "").replaceAll("[\\p{Cntrl}]", " ")
        .strip();
  }

  /** The terminal's columns, asked through JLine (a dependency of progressbar); else 80. */
  static int terminalWidth() {
    Logger.getLogger("org.jline").setLevel(Level.OFF);
    try (org.jline.terminal.Terminal t = org.jline.terminal.TerminalBuilder.builder()
        .system(true).dumb(true).build()) {
      if (t.getWidth() > 0) {
        return t.getWidth();
      }
    } catch (Exception | LinkageError e) {
      // not a terminal JLine can read: the default below
    }
    try {
      return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80"));
    } catch (NumberFormatException e) {
      return 80;
    }
  }
}
