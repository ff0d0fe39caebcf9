package dev.kiln.core.internal.pipeline;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Runs one stage: announces and times it, and turns any failure into a
 * {@link BuildFailedException} naming that stage, with diagnostics saved before anything is
 * cleaned up. With keep-on-error, a failure leaves the running machine (and says how to reach
 * it); the caller unwinds the cleanup stack.
 */
final class StageRunner {
  /** A stage's work. */
  @FunctionalInterface
  interface Work<T> {
    T call() throws Exception;
  }

  private final BuildContext ctx;
  private boolean keeping;

  StageRunner(BuildContext ctx) {
    this.ctx = ctx;
  }

  /** Whether a failed stage kept its machine (cleanup then leaves it). */
  boolean keeping() {
    return keeping;
  }

  <T> T run(Stage stage, Work<T> work) throws BuildFailedException, InterruptedException {
    Instant start = ctx.events.now();
    ctx.events.dispatch(new KilnEvent.StageStarted(ctx.settings.buildId(), start, stage));
    try {
      T result = work.call();
      finish(stage, start, true);
      return result;
    } catch (InterruptedException e) {
      finish(stage, start, false);
      throw e;
    } catch (Exception e) {
      finish(stage, start, false);
      List<String> diagnostics = ctx.diagnostics(e);
      if (ctx.settings.keepOnError()) {
        keep();
      }
      throw new BuildFailedException(stage, message(e), diagnostics, e);
    }
  }

  /** The failure in one sentence: the exception's message, or its kind when it has none. */
  static String message(Exception e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName().replaceAll("(?<=[a-z])(?=[A-Z])", " ")
          .toLowerCase(java.util.Locale.ROOT);
    }
    return m;
  }

  private void keep() {
    ctx.activeMachine().ifPresent(machine -> {
      keeping = true;
      String how = machine.forwardedPort(22).map(a -> "ssh -i " + ctx.buildDirectory()
          .resolve("id_ed25519") + " -p " + a.getPort() + " " + BuildContext.BUILD_USER + "@"
          + a.getHostString()).orElse("the hypervisor's console (" + machine.name() + ")");
      ctx.key().ifPresent(k -> {
        try {
          k.writeTo(ctx.buildDirectory());
        } catch (IOException e) {
          ctx.events.warning("build.kept", "could not write the build key: " + e.getMessage());
        }
      });
      ctx.events.warning("build.kept", "the machine " + machine.name() + " was kept running; "
          + "reach it with: " + how + "; remove it with: kiln clean --all");
    });
  }

  private void finish(Stage stage, Instant start, boolean ok) {
    Duration took = Duration.between(start, ctx.events.now());
    ctx.times.put(stage, took);
    ctx.events.dispatch(new KilnEvent.StageFinished(ctx.settings.buildId(), ctx.events.now(),
        stage, took, ok));
  }
}
