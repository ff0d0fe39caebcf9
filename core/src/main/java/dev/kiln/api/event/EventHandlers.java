package dev.kiln.api.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Routes events to handlers registered per event type; immutable once built, so one instance
 * can be shared by every build and thread. Events are dispatched on the thread that produced
 * them, so handlers must be thread-safe and quick; a handler that throws does not stop the
 * build or other handlers.
 *
 * <pre>{@code
 * EventHandlers events = EventHandlers.builder()
 *     .add(KilnEvent.StageFinished.class, e -> System.out.println(e.stage() + " done"))
 *     .addAll(log::add)
 *     .build();
 * }</pre>
 */
public final class EventHandlers {
  /** Handlers that ignore everything. */
  public static final EventHandlers NONE = new EventHandlers(List.of());

  private final List<Registration<?>> registrations;

  private record Registration<E extends KilnEvent>(Class<E> type, Consumer<? super E> handler) {
    void offer(KilnEvent event) {
      if (type.isInstance(event)) {
        handler.accept(type.cast(event));
      }
    }
  }

  private EventHandlers(List<Registration<?>> registrations) {
    this.registrations = List.copyOf(registrations);
  }

  /** A builder with no handlers. */
  public static Builder builder() {
    return new Builder();
  }

  /** These handlers and then {@code other}'s, for every event. */
  public EventHandlers and(EventHandlers other) {
    List<Registration<?>> all = new ArrayList<>(registrations);
    all.addAll(other.registrations);
    return new EventHandlers(all);
  }

  /** Delivers {@code event} to every matching handler, in the order they were added. */
  public void dispatch(KilnEvent event) {
    for (Registration<?> r : registrations) {
      try {
        r.offer(event);
      } catch (RuntimeException ignored) {
        // A faulty handler must not break a build; the contract says handlers do not throw.
      }
    }
  }

  /** Builder for {@link EventHandlers}. */
  public static final class Builder {
    private final List<Registration<?>> registrations = new ArrayList<>();

    private Builder() {}

    /** Calls {@code handler} for every event of {@code type} (or a subtype). */
    public <E extends KilnEvent> Builder add(Class<E> type, Consumer<? super E> handler) {
      registrations.add(new Registration<>(Objects.requireNonNull(type),
          Objects.requireNonNull(handler)));
      return this;
    }

    /** Calls {@code handler} for every event. */
    public Builder addAll(Consumer<? super KilnEvent> handler) {
      return add(KilnEvent.class, handler);
    }

    /** The handlers, immutable. */
    public EventHandlers build() {
      return new EventHandlers(registrations);
    }
  }
}
