package dev.kiln.core.internal.pipeline;

import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.time.Clock;
import java.time.Instant;

/**
 * A build's events: the embedder's handlers bound to the build id and the build's clock, so
 * no stage has to thread either through.
 */
public final class BuildEvents {
  private final EventHandlers handlers;
  private final String buildId;
  private final Clock clock;

  public BuildEvents(EventHandlers handlers, String buildId, Clock clock) {
    this.handlers = handlers;
    this.buildId = buildId;
    this.clock = clock;
  }

  public String buildId() {
    return buildId;
  }

  /** The handlers, for components that dispatch their own events (downloads, machines). */
  public EventHandlers handlers() {
    return handlers;
  }

  public Instant now() {
    return clock.instant();
  }

  public void dispatch(KilnEvent event) {
    handlers.dispatch(event);
  }

  /** A warning with a stable {@code code} (e.g. {@code install.reused}). */
  public void warning(String code, String message) {
    handlers.dispatch(new KilnEvent.Warning(buildId, now(), code, message));
  }
}
