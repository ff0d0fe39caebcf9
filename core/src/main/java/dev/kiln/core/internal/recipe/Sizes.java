package dev.kiln.core.internal.recipe;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints byte sizes such as {@code 20GiB}, {@code 512M}, {@code 1073741824}. */
final class Sizes {
  private static final Pattern SIZE =
      Pattern.compile("\\s*(-?\\d+)\\s*(?:([KMGTP])(?:I?B)?|B)?\\s*", Pattern.CASE_INSENSITIVE);

  private Sizes() {}

  /** Bytes, or null when {@code text} is not a size (negative sizes parse, for the message). */
  static Long parse(String text) {
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return null;
    }
    try {
      long n = Long.parseLong(m.group(1));
      int shift = m.group(2) == null ? 0
          : 10 * ("KMGTP".indexOf(m.group(2).toUpperCase(Locale.ROOT)) + 1);
      if (Math.abs(n) > (Long.MAX_VALUE >> shift)) {
        return null;
      }
      return n << shift;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String format(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (u < units.length - 1 && bytes % 1024 == 0 && bytes >= 1024) {
      bytes /= 1024;
      u++;
    }
    return bytes + units[u];
  }
}
