package dev.kiln.core.internal.recipe;

import dev.kiln.api.DidYouMean;
import dev.kiln.core.internal.recipe.YamlNode.Entry;
import dev.kiln.core.internal.recipe.YamlNode.ListNode;
import dev.kiln.core.internal.recipe.YamlNode.MapNode;
import dev.kiln.core.internal.recipe.YamlNode.Scalar;
import dev.kiln.core.internal.recipe.YamlNode.ScalarType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads one YAML map while validating it. Each accessor returns the value or, when the value is
 * wrong, records a located problem and returns a fallback, so a whole recipe is checked in one
 * pass. {@link #finish()} then reports every key nobody asked for, with a did-you-mean.
 */
final class MapReader {
  private final MapNode node;
  private final String path;
  private final Problems problems;
  private final Set<String> known = new LinkedHashSet<>();

  MapReader(MapNode node, String path, Problems problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** Reads {@code value} as a map, or records a problem and returns null. */
  static MapReader of(YamlNode value, String path, Problems problems) {
    if (value instanceof MapNode map) {
      return new MapReader(map, path, problems);
    }
    problems.add(value.line(), value.column(), path, "expected a map, found " + value.kind());
    return null;
  }

  String path() {
    return path;
  }

  int line() {
    return node.line();
  }

  int column() {
    return node.column();
  }

  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    known.add(key);
    Entry e = node.entries().get(key);
    return e != null && !(e.value() instanceof Scalar s && s.type() == ScalarType.NULL);
  }

  /** The value under {@code key} as parsed, for callers that accept several shapes. */
  YamlNode rawValue(String key) {
    known.add(key);
    Entry e = node.entries().get(key);
    return e == null ? null : e.value();
  }

  /** Records a problem at {@code key}'s value, or at this map when the key is absent. */
  void problem(String key, String message) {
    Entry e = node.entries().get(key);
    if (e != null) {
      problems.add(e.value().line(), e.value().column(), field(key), message);
    } else {
      problems.add(node.line(), node.column(), field(key), message);
    }
  }

  private Entry entry(String key) {
    known.add(key);
    return has(key) ? node.entries().get(key) : null;
  }

  // ---- scalars ----------------------------------------------------------------------------

  Optional<String> string(String key) {
    Entry e = entry(key);
    if (e == null) {
      return Optional.empty();
    }
    if (e.value() instanceof Scalar s && s.type() != ScalarType.BOOLEAN) {
      return Optional.of(s.text());
    }
    problem(key, "expected text, found " + e.value().kind());
    return Optional.empty();
  }

  String requiredString(String key) {
    if (!has(key)) {
      problem(key, "missing required field");
      return null;
    }
    return string(key).orElse(null);
  }

  /** A string matched against {@code regex}; {@code rule} explains the rule to the user. */
  Optional<String> string(String key, String regex, String rule) {
    Optional<String> v = string(key);
    if (v.isPresent() && !v.get().matches(regex)) {
      problem(key, rule + ", was '" + v.get() + "'");
      return Optional.empty();
    }
    return v;
  }

  boolean bool(String key, boolean fallback) {
    Entry e = entry(key);
    if (e == null) {
      return fallback;
    }
    if (e.value() instanceof Scalar s && s.type() == ScalarType.BOOLEAN) {
      return Boolean.parseBoolean(s.text());
    }
    problem(key, "expected true or false, found " + e.value().kind());
    return fallback;
  }

  long integer(String key, long min, long max, long fallback) {
    Entry e = entry(key);
    if (e == null) {
      return fallback;
    }
    if (!(e.value() instanceof Scalar s) || s.type() != ScalarType.INTEGER) {
      problem(key, "expected a whole number, found " + e.value().kind());
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(s.text());
    } catch (NumberFormatException ex) {
      problem(key, "number too large: " + s.text());
      return fallback;
    }
    if (value < min || value > max) {
      problem(key, "must be between " + min + " and " + max + ", was " + value);
      return fallback;
    }
    return value;
  }

  /**
   * A size in bytes: a whole number of bytes or a number with a unit (K, M, G, T with or without
   * "iB"; binary multiples), e.g. {@code 20GiB}.
   */
  OptionalLong size(String key, long min, long max) {
    Entry e = entry(key);
    if (e == null) {
      return OptionalLong.empty();
    }
    if (!(e.value() instanceof Scalar s)
        || (s.type() != ScalarType.INTEGER && s.type() != ScalarType.STRING)) {
      problem(key, "expected a size such as 20GiB, found " + e.value().kind());
      return OptionalLong.empty();
    }
    Long bytes = Sizes.parse(s.text());
    if (bytes == null) {
      problem(key, "expected a size such as 20GiB or 512MiB, was '" + s.text() + "'");
      return OptionalLong.empty();
    }
    if (bytes <= 0) {
      problem(key, "must be positive, was " + s.text());
      return OptionalLong.empty();
    }
    if (bytes < min || bytes > max) {
      problem(key, "must be between " + Sizes.format(min) + " and " + Sizes.format(max)
          + ", was " + s.text());
      return OptionalLong.empty();
    }
    return OptionalLong.of(bytes);
  }

  /** A duration such as {@code 10m}, {@code 90s} or {@code 1h30m}, within {@code max}. */
  java.time.Duration duration(String key, java.time.Duration fallback, java.time.Duration max) {
    Optional<String> text = string(key);
    if (text.isEmpty()) {
      return fallback;
    }
    java.time.Duration d = Durations.parse(text.get());
    if (d == null || d.isZero()) {
      problem(key, "expected a positive duration such as 90s, 10m or 1h30m, was '"
          + text.get() + "'");
      return fallback;
    }
    if (d.compareTo(max) > 0) {
      problem(key, "must be at most " + max.toMinutes() + "m, was " + text.get());
      return fallback;
    }
    return d;
  }

  /** An enum written in lower case with dashes: {@code single-root} for SINGLE_ROOT. */
  <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback) {
    return enumValue(key, type, fallback, c -> List.of());
  }

  /** Like {@link #enumValue(String, Class, Enum)}, also accepting each constant's aliases. */
  <E extends Enum<E>> E enumValue(String key, Class<E> type, E fallback,
      Function<E, List<String>> aliases) {
    Optional<String> text = string(key);
    if (text.isEmpty()) {
      return fallback;
    }
    String wanted = text.get().trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(wanted) || aliases.apply(constant).stream()
          .anyMatch(a -> a.equalsIgnoreCase(text.get().trim()))) {
        return constant;
      }
    }
    List<String> allowed = Arrays.stream(type.getEnumConstants()).map(MapReader::spell)
        .collect(Collectors.toList());
    problem(key, "must be one of " + String.join(", ", allowed) + ", was '" + text.get() + "'"
        + DidYouMean.suggest(text.get(), allowed).map(s -> " (did you mean '" + s + "'?)")
            .orElse(""));
    return fallback;
  }

  static String spell(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  // ---- structures -------------------------------------------------------------------------

  Optional<MapReader> map(String key) {
    Entry e = entry(key);
    if (e == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(of(e.value(), field(key), problems));
  }

  /** A list of items, each read by {@code item}; a single non-list value is an error. */
  <T> List<T> list(String key, ItemReader<T> item) {
    Entry e = entry(key);
    List<T> out = new ArrayList<>();
    if (e == null) {
      return out;
    }
    if (!(e.value() instanceof ListNode list)) {
      problem(key, "expected a list, found " + e.value().kind());
      return out;
    }
    for (int i = 0; i < list.items().size(); i++) {
      T value = item.read(list.items().get(i), field(key) + "[" + i + "]", problems);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  List<String> stringList(String key) {
    return list(key, MapReader::readString);
  }

  /** Reads a list item that must be text. */
  static String readString(YamlNode value, String path, Problems problems) {
    if (value instanceof Scalar s && (s.type() == ScalarType.STRING
        || s.type() == ScalarType.INTEGER || s.type() == ScalarType.DECIMAL)) {
      return s.text();
    }
    problems.add(value.line(), value.column(), path, "expected text, found " + value.kind());
    return null;
  }

  /** Reads a list item that must be a map and passes it to {@code body}. */
  static <T> ItemReader<T> mapItems(Function<MapReader, T> body) {
    return (value, path, problems) -> {
      MapReader m = of(value, path, problems);
      if (m == null) {
        return null;
      }
      T result = body.apply(m);
      m.finish();
      return result;
    };
  }

  /** Reads one list item; returns null after recording a problem. */
  @FunctionalInterface
  interface ItemReader<T> {
    T read(YamlNode value, String path, Problems problems);
  }

  // ---- relations between keys -------------------------------------------------------------

  /** Records a problem when more than one of {@code keys} is present; returns those present. */
  List<String> atMostOneOf(String... keys) {
    List<String> present = Arrays.stream(keys).filter(this::has)
        .sorted(java.util.Comparator.comparingInt(k -> node.entries().get(k).line()))
        .collect(Collectors.toList());
    if (present.size() > 1) {
      String second = present.get(1);
      problem(second, "'" + present.get(0) + "' and '" + second
          + "' are mutually exclusive; keep only one of " + String.join(", ", keys));
    }
    return present;
  }

  /** Like {@link #atMostOneOf} but one is required. */
  List<String> exactlyOneOf(String... keys) {
    List<String> present = atMostOneOf(keys);
    if (present.isEmpty()) {
      problems.add(node.line(), node.column(), path,
          "needs one of " + String.join(", ", keys));
    }
    return present;
  }

  /** Reports every key that no accessor asked for, suggesting the closest known key. */
  void finish() {
    for (Entry e : node.entries().values()) {
      if (!known.contains(e.key())) {
        String hint = DidYouMean.suggest(e.key(), known).map(s -> " (did you mean '" + s + "'?)")
            .orElse("; known keys: " + String.join(", ", known));
        problems.add(e.line(), e.column(), field(e.key()), "unknown key" + hint);
      }
    }
  }
}
