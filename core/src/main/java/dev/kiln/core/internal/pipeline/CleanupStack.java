package dev.kiln.core.internal.pipeline;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a build must undo, registered as each resource is acquired and undone in reverse
 * order. An entry marked {@code keptOnError} (the machine and what it needs to be reached)
 * stays when a failed build was asked to keep its machine; everything else is always undone.
 * An undo that fails becomes a warning: cleanup goes on.
 */
public final class CleanupStack {
  /** One undo action. */
  @FunctionalInterface
  public interface Undo {
    void run() throws Exception;
  }

  /** A registered undo; {@link #release()} runs it early (a machine closed after use). */
  public final class Entry {
    private final String what;
    private final boolean keptOnError;
    private final Undo undo;
    private boolean done;

    private Entry(String what, boolean keptOnError, Undo undo) {
      this.what = what;
      this.keptOnError = keptOnError;
      this.undo = undo;
    }

    public String what() {
      return what;
    }

    /** Runs the undo now and removes it from the stack. */
    public void release() {
      synchronized (CleanupStack.this) {
        if (done) {
          return;
        }
        entries.remove(this);
      }
      runOnce();
    }

    private void runOnce() {
      synchronized (CleanupStack.this) {
        if (done) {
          return;
        }
        done = true;
      }
      try {
        undo.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        events.warning("cleanup.failed", "interrupted while undoing " + what);
      } catch (Exception e) {
        events.warning("cleanup.failed", "could not undo " + what + ": " + e.getMessage());
      }
    }
  }

  private final Deque<Entry> entries = new ArrayDeque<>();
  private final BuildEvents events;

  public CleanupStack(BuildEvents events) {
    this.events = events;
  }

  /** Registers {@code undo} for {@code what}, always run when the build ends. */
  public synchronized Entry push(String what, Undo undo) {
    return push(what, false, undo);
  }

  /** Registers {@code undo}; with {@code keptOnError} it is skipped when the machine is kept. */
  public synchronized Entry push(String what, boolean keptOnError, Undo undo) {
    Entry e = new Entry(what, keptOnError, undo);
    entries.push(e);
    return e;
  }

  /**
   * Runs every registered undo, newest first; with {@code keeping}, entries marked
   * kept-on-error are left as they are.
   */
  public void unwind(boolean keeping) {
    while (true) {
      Entry e;
      synchronized (this) {
        e = entries.poll();
      }
      if (e == null) {
        return;
      }
      if (!(keeping && e.keptOnError)) {
        e.runOnce();
      }
    }
  }
}
