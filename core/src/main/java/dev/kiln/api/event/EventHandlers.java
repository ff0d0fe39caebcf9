package dev.kiln.api.event;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Routes events to handlers registered per event type. Events are dispatched on the thread
 * that produced them, so handlers must be thread-safe and quick; a handler that throws does not
 * stop the build or other handlers.
 */
public final class EventHandlers {
  /** Handlers that ignore everything. */
  public static final EventHandlers NONE = new EventHandlers();

  private final List<Registration<?>> registrations = new CopyOnWriteArrayList<>();

  private record Registration<E extends KilnEvent>(Class<E> type, Consumer<? super E> handler) {
    void offer(KilnEvent event) {
      if (type.isInstance(event)) {
        handler.accept(type.cast(event));
      }
    }
  }

  public static EventHandlers create() {
    return new EventHandlers();
  }

  /** Calls {@code handler} for every event of {@code type} (or a subtype) dispatched later. */
  public <E extends KilnEvent> EventHandlers add(Class<E> type, Consumer<? super E> handler) {
    if (this == NONE) {
      throw new UnsupportedOperationException("EventHandlers.NONE is shared; use create()");
    }
    registrations.add(new Registration<>(Objects.requireNonNull(type),
        Objects.requireNonNull(handler)));
    return this;
  }

  /** Calls {@code handler} for every event. */
  public EventHandlers addAll(Consumer<? super KilnEvent> handler) {
    return add(KilnEvent.class, handler);
  }

  /** Delivers {@code event} to every matching handler. */
  public void dispatch(KilnEvent event) {
    for (Registration<?> r : registrations) {
      try {
        r.offer(event);
      } catch (RuntimeException ignored) {
        // A faulty handler must not break a build; the contract says handlers do not throw.
      }
    }
  }
}
