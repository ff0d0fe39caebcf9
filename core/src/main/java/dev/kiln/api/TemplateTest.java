package dev.kiln.api;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A recipe's own test of the template, run over SSH in the verify boot (the template booted
 * as a new CloudStack VM): a shell command, the exit code it must end with and, optionally, a
 * regular expression its output must contain — the goss/InSpec habit of image builders.
 *
 * @param name what the test is called in reports
 * @param run the shell command (run as the template's default user)
 * @param exitCode the exit code it must end with
 * @param outputMatches a {@link Pattern} its standard output and error must contain
 */
public record TemplateTest(String name, String run, int exitCode, Optional<String> outputMatches) {
  public TemplateTest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(outputMatches, "outputMatches");
    if (name.isBlank() || run.isBlank()) {
      throw new IllegalArgumentException("a test needs a name and a command");
    }
    if (exitCode < 0 || exitCode > 255) {
      throw new IllegalArgumentException("exit code must be 0-255: " + exitCode);
    }
    outputMatches.ifPresent(p -> {
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("not a regular expression: " + p + " ("
            + e.getDescription() + ")");
      }
    });
  }
}
