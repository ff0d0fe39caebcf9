package dev.kiln.cli;

import dev.kiln.api.FailurePause;
import dev.kiln.api.event.Stage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code kiln build --on-error ask}: after a failed stage, the machine is left running while
 * the user looks at it; a line on standard input decides — empty or {@code c} cleans up,
 * {@code a} keeps the machine (as {@code --on-error abort}). End of input cleans up, so a
 * build without a person at it never hangs.
 */
final class AskOnFailure implements FailurePause {
  private final BufferedReader in;
  private final PrintWriter err;
  private final Runnable beforePrompt;

  /** @param beforePrompt flushes progress output so the prompt stands below it */
  AskOnFailure(BufferedReader in, PrintWriter err, Runnable beforePrompt) {
    this.in = in;
    this.err = err;
    this.beforePrompt = beforePrompt;
  }

  @Override
  public boolean pause(Stage stage, String error, String machine, String howToReach)
      throws InterruptedException {
    beforePrompt.run();
    err.println("kiln build: [" + stage.name().toLowerCase(Locale.ROOT) + "] failed: " + error);
    err.println("kiln build: the machine " + machine + " is still running; reach it with:");
    err.println("  " + howToReach);
    while (true) {
      err.print("kiln build: [c]lean up and exit (Enter), or [a]bort and keep the machine? ");
      err.flush();
      String answer;
      try {
        answer = in.readLine();
      } catch (IOException e) {
        answer = null;
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while asking");
      }
      if (answer == null) {
        err.println();
        err.println("kiln build: no more input; cleaning up");
        return false;
      }
      switch (answer.strip().toLowerCase(Locale.ROOT)) {
        case "", "c", "clean", "cleanup" -> {
          return false;
        }
        case "a", "abort", "keep" -> {
          return true;
        }
        default -> err.println("kiln build: answer c or a");
      }
    }
  }
}
