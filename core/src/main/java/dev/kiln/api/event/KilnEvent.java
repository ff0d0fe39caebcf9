package dev.kiln.api.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened in a build. Every event names its build, so one handler can follow
 * many builds at once (matrix builds).
 */
public sealed interface KilnEvent {
  /** The build this event belongs to. */
  String buildId();

  /** When it happened. */
  Instant time();

  /** A stage began. */
  record StageStarted(String buildId, Instant time, Stage stage) implements KilnEvent {
    public StageStarted {
      Objects.requireNonNull(stage);
    }
  }

  /** A stage ended, well or not; {@code elapsed} is its wall-clock time. */
  record StageFinished(String buildId, Instant time, Stage stage, Duration elapsed,
      boolean succeeded) implements KilnEvent {}

  /**
   * Bytes done out of a total ({@code total} is -1 when unknown), for downloads, uploads and
   * conversions. {@code task} names the work, e.g. the file being written.
   */
  record ByteProgress(String buildId, Instant time, Stage stage, String task, long done,
      long total) implements KilnEvent {}

  /** One line the build machine wrote to its serial console. */
  record ConsoleLine(String buildId, Instant time, String machine, String line)
      implements KilnEvent {}

  /** One line a command in the guest wrote. */
  record CommandOutput(String buildId, Instant time, String command, OutputStream stream,
      String line) implements KilnEvent {}

  /**
   * Something the user should know that does not stop the build (e.g. KVM unusable, falling
   * back to TCG). {@code code} is stable and machine-readable, e.g. {@code accel.fallback}.
   */
  record Warning(String buildId, Instant time, String code, String message)
      implements KilnEvent {}

  /**
   * A verified medium (ISO, cloud image) was made available on a remote libvirt host: uploaded
   * into that host's media cache, or found there ({@code reused}: nothing was uploaded).
   *
   * @param host the host as its libvirt URI names it (without the URI's parameters)
   * @param file the local file's name
   */
  record MediaPlaced(String buildId, Instant time, String host, String file, String sha256,
      long bytes, boolean reused) implements KilnEvent {}

  /**
   * The step cache was consulted before the build machine booted: the first {@code reused} of
   * the recipe's {@code steps} provisioning steps come from an earlier build's layers (0: every
   * step runs), the last of them under {@code key} (empty when none).
   */
  record StepsReused(String buildId, Instant time, int reused, int steps, String key)
      implements KilnEvent {}

  /**
   * The build ended, however it ended, after its cleanup: the last event of every build.
   * {@code summary} is what metrics and the build history record.
   */
  record BuildFinished(String buildId, Instant time, BuildSummary summary)
      implements KilnEvent {
    /** Refuses a missing summary. */
    public BuildFinished {
      Objects.requireNonNull(summary);
    }
  }

  /** Which output stream a command line came from. */
  enum OutputStream {
    /** The command's standard output. */
    STDOUT,
    /** The command's standard error. */
    STDERR
  }
}
