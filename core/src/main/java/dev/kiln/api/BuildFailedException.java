package dev.kiln.api;

import dev.kiln.api.event.Stage;
import java.util.List;
import java.util.Objects;

/**
 * A build stopped. Names the stage that failed and carries the diagnostics saved before
 * cleanup (console tail, last command output, domain definition), secrets already removed.
 */
public final class BuildFailedException extends KilnException {
  private static final long serialVersionUID = 1L;
  private final Stage stage;
  private final List<String> diagnostics;

  /** A failure in {@code stage}, with the console lines and facts saved before cleanup. */
  public BuildFailedException(Stage stage, String message, List<String> diagnostics,
      Throwable cause) {
    super(stage.name().toLowerCase(java.util.Locale.ROOT) + " stage failed: " + message, cause);
    this.stage = Objects.requireNonNull(stage);
    this.diagnostics = List.copyOf(diagnostics);
  }

  /** The stage that was running; it decides the exit code. */
  public Stage stage() {
    return stage;
  }

  /** Diagnostic lines saved before cleanup, oldest first. */
  public List<String> diagnostics() {
    return diagnostics;
  }
}
