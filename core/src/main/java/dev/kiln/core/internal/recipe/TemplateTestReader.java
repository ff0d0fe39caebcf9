package dev.kiln.core.internal.recipe;

import dev.kiln.api.TemplateTest;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of a recipe's {@code tests:} list: {@code name}, {@code run} (a shell command),
 * {@code exitCode} (default 0) and {@code outputMatches} (a regular expression).
 */
final class TemplateTestReader {
  private TemplateTestReader() {}

  static TemplateTest read(MapReader m) {
    String name = m.requiredString("name");
    String run = m.requiredString("run");
    long exit = m.integer("exitCode", 0, 255, 0);
    Optional<String> pattern = m.string("outputMatches");
    if (pattern.isPresent()) {
      try {
        Pattern.compile(pattern.get());
      } catch (PatternSyntaxException e) {
        m.problem("outputMatches", "not a regular expression (" + e.getDescription() + ")");
        pattern = Optional.empty();
        name = null;
      }
    }
    m.finish();
    if (name == null || run == null || name.isBlank() || run.isBlank()) {
      return null;
    }
    return new TemplateTest(name, run, (int) exit, pattern);
  }
}
