package dev.kiln.core.internal.recipe;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written {@code 90s}, {@code 10m}, {@code 1h30m} or whole seconds. */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)([hms])");

  private Durations() {}

  /** The duration, or null when {@code text} is not one. */
  static Duration parse(String text) {
    String t = text.trim();
    if (t.matches("\\d+")) {
      return Duration.ofSeconds(Long.parseLong(t));
    }
    if (!t.matches("(\\d+[hms])+")) {
      return null;
    }
    Duration d = Duration.ZERO;
    Matcher m = PART.matcher(t);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "h" -> d = d.plusHours(n);
        case "m" -> d = d.plusMinutes(n);
        default -> d = d.plusSeconds(n);
      }
    }
    return d;
  }
}
