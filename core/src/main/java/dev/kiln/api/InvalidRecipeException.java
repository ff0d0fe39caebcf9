package dev.kiln.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A recipe that cannot be built. Carries every problem found in one pass, so a user fixes the
 * file once instead of once per error.
 */
public final class InvalidRecipeException extends KilnException {
  private static final long serialVersionUID = 1L;
  private final List<RecipeProblem> problems;

  /** Every problem found, in file order. */
  public InvalidRecipeException(List<RecipeProblem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, in the order they occur in the file. */
  public List<RecipeProblem> problems() {
    return problems;
  }

  private static String render(List<RecipeProblem> problems) {
    return problems.size() + (problems.size() == 1 ? " problem" : " problems") + " in recipe:\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
