package dev.kiln.api;

import dev.kiln.api.event.Stage;

/**
 * What a build does when a stage fails while its machine runs, before anything is cleaned up:
 * the caller looks at the machine (Packer's {@code -on-error=ask}), and when {@link #pause}
 * returns cleanup goes on, or the machine is kept running as with {@code keepOnError}. The
 * build key is in the build directory while it waits (and stays with a kept machine).
 */
@FunctionalInterface
public interface FailurePause {
  /**
   * Called once, on the thread running the build.
   *
   * @param stage the stage that failed
   * @param error the failure in one sentence
   * @param machine the machine's name on its hypervisor
   * @param howToReach a command that reaches it (an ssh line, or the hypervisor's console)
   * @return true to keep the machine running after the build ends, false to clean up
   * @throws InterruptedException when the wait is cut short; cleanup still runs
   */
  boolean pause(Stage stage, String error, String machine, String howToReach)
      throws InterruptedException;
}
