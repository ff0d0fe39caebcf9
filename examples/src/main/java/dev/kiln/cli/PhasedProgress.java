package dev.kiln.cli;

import dev.kiln.formats.convert.ConversionProgress;

/** A conversion on the display: one task per phase ("convert", then "package"), in turn. */
final class PhasedProgress implements ConversionProgress, AutoCloseable {
  private final ProgressDisplay display;
  private final String name;
  private Phase current;
  private ProgressDisplay.Task task;

  PhasedProgress(ProgressDisplay display, String name) {
    this.display = display;
    this.name = name;
  }

  @Override
  public synchronized void update(Phase phase, long done, long total) {
    if (phase != current) {
      close();
      current = phase;
      task = display.bytes((phase == Phase.CONVERT ? "convert " : "package ") + name, total);
    }
    task.update(done, total);
  }

  @Override
  public synchronized void close() {
    if (task != null) {
      task.close();
      task = null;
    }
  }
}
