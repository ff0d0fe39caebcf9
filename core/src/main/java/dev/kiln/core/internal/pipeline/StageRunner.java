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

  /** The build key's file in the build directory (BuildKey.writeTo writes it). */
  private static final String KEY_FILE = "id_ed25519";

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
      } else if (ctx.settings.failurePause().isPresent()) {
        pause(stage, message(e));
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
      String how = reachable(machine);
      ctx.events.warning("build.kept", "the machine " + machine.name() + " was kept running; "
          + "reach it with: " + how + "; remove it with: kiln clean --all");
    });
  }

  /** Hands the running machine to the caller's pause; cleanup follows when it returns. */
  private void pause(Stage stage, String error) throws InterruptedException {
    var machine = ctx.activeMachine();
    if (machine.isEmpty()) {
      return;
    }
    String how = reachable(machine.get());
    ctx.events.warning("build.paused", "the machine " + machine.get().name() + " waits for "
        + "you after the failure; reach it with: " + how);
    boolean keep;
    try {
      keep = ctx.settings.failurePause().get().pause(stage, error, machine.get().name(), how);
    } catch (InterruptedException | RuntimeException e) {
      deleteKey();
      throw e;
    }
    if (keep) {
      keep();
    } else {
      deleteKey();
    }
  }

  private void deleteKey() {
    try {
      java.nio.file.Files.deleteIfExists(ctx.buildDirectory().resolve(KEY_FILE));
      java.nio.file.Files.deleteIfExists(ctx.buildDirectory().resolve(KEY_FILE + ".pub"));
    } catch (IOException e) {
      ctx.events.warning("build.paused", "could not delete the build key: " + e.getMessage());
    }
  }

  /** Writes the build key where the ssh line finds it; returns that line. */
  private String reachable(dev.kiln.spi.Machine machine) {
    java.util.Optional<java.net.InetSocketAddress> ssh;
    try {
      ssh = machine.forwardedPort(22);
    } catch (dev.kiln.api.MachineException e) {
      ssh = java.util.Optional.empty(); // its host is gone: only the console is left to name
    }
    String how = ssh.map(a -> "ssh -i " + ctx.buildDirectory()
        .resolve(KEY_FILE) + " -p " + a.getPort() + " " + BuildContext.BUILD_USER + "@"
        + a.getHostString()).orElse("the hypervisor's console (" + machine.name() + ")");
    ctx.key().ifPresent(k -> {
      try {
        k.writeTo(ctx.buildDirectory());
      } catch (IOException e) {
        ctx.events.warning("build.kept", "could not write the build key: " + e.getMessage());
      }
    });
    return how;
  }


  private void finish(Stage stage, Instant start, boolean ok) {
    Duration took = Duration.between(start, ctx.events.now());
    ctx.times.put(stage, took);
    ctx.events.dispatch(new KilnEvent.StageFinished(ctx.settings.buildId(), ctx.events.now(),
        stage, took, ok));
  }
}
