package dev.kiln.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --output json}: one JSON object per line (NDJSON) on standard output, for CI. Every
 * library event becomes {@code {"event": "stage-started", …its fields…}} (times ISO-8601,
 * durations in seconds, enum values in lower case), and the command's result comes last as
 * {@code {"event": "result", "exit": N, …}}. The schema is {@code docs/events.schema.json}.
 */
final class JsonLines {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final PrintWriter out;

  JsonLines(PrintWriter out) {
    this.out = out;
  }

  /** Handlers writing every event as a line. */
  EventHandlers handlers() {
    return EventHandlers.builder().addAll(this::event).build();
  }

  void event(KilnEvent e) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", kebab(e.getClass().getSimpleName()));
    for (RecordComponent c : e.getClass().getRecordComponents()) {
      try {
        put(n, c.getName(), c.getAccessor().invoke(e));
      } catch (ReflectiveOperationException ex) {
        throw new IllegalStateException(ex);
      }
    }
    write(n);
  }

  /** The last line: the command's exit code and what it produced or why it failed. */
  void result(int exit, Map<String, ?> fields) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", "result");
    n.put("exit", exit);
    fields.forEach((k, v) -> put(n, k, v));
    write(n);
  }

  /** A line of the CLI's own, e.g. {@code conversion-progress}. */
  void line(String event, Map<String, ?> fields) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", event);
    new java.util.TreeMap<String, Object>(fields).forEach((k, v) -> put(n, k, v));
    write(n);
  }

  private synchronized void write(ObjectNode n) {
    out.println(n.toString());
    out.flush();
  }

  private static void put(ObjectNode n, String key, Object v) {
    if (v == null) {
      n.putNull(key);
    } else if (v instanceof Instant i) {
      n.put(key, i.toString());
    } else if (v instanceof Duration d) {
      n.put(key, d.toMillis() / 1000.0);
    } else if (v instanceof Enum<?> en) {
      n.put(key, en.name().toLowerCase(Locale.ROOT));
    } else if (v instanceof Number || v instanceof Boolean || v instanceof String) {
      n.set(key, JSON.valueToTree(v));
    } else if (v instanceof java.util.Optional<?> o) {
      put(n, key, o.orElse(null));
    } else if (v instanceof Record r) { // e.g. a build's summary: its components, recursively
      ObjectNode child = n.putObject(key);
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        try {
          put(child, c.getName(), c.getAccessor().invoke(r));
        } catch (ReflectiveOperationException ex) {
          throw new IllegalStateException(ex);
        }
      }
    } else if (v instanceof java.util.Map<?, ?> m && m.keySet().stream()
        .allMatch(k -> k instanceof Enum<?>)) { // stage → time: keys as the stage's name
      ObjectNode child = n.putObject(key);
      new java.util.TreeMap<Object, Object>(m).forEach((k, x) -> put(child,
          ((Enum<?>) k).name().toLowerCase(Locale.ROOT), x));
    } else if (v instanceof java.util.List<?> l && l.stream().anyMatch(x -> x instanceof Record)) {
      com.fasterxml.jackson.databind.node.ArrayNode a = n.putArray(key);
      for (Object x : l) {
        ObjectNode holder = JSON.createObjectNode();
        put(holder, "x", x);
        a.add(holder.get("x"));
      }
    } else {
      n.set(key, JSON.valueToTree(v instanceof java.nio.file.Path p ? p.toString() : v));
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
