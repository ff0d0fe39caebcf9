package dev.kiln.core.internal.recipe;

import dev.kiln.api.RecipeProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects recipe problems for one file, so all of them are reported together. */
final class Problems {
  private final String file;
  private final List<RecipeProblem> list = new ArrayList<>();
  private java.util.function.UnaryOperator<String> mask = m -> m;
  private final java.util.Set<Long> spoiled = new java.util.HashSet<>();

  Problems(String file) {
    this.file = file;
  }

  void add(int line, int column, String field, String message) {
    if (spoiled.contains(position(line, column))) {
      return;
    }
    list.add(new RecipeProblem(file, line, column, field, mask.apply(message)));
  }

  /** Applied to every later message: sensitive variables' values never appear in one. */
  void mask(java.util.function.UnaryOperator<String> masking) {
    this.mask = masking;
  }

  /**
   * Records a problem and drops every later one at the same position: a value whose variable
   * could not be replaced is reported once, not again as a bad URL or number.
   */
  void addAndSpoil(int line, int column, String field, String message) {
    add(line, column, field, message);
    spoiled.add(position(line, column));
  }

  private static long position(int line, int column) {
    return ((long) line << 32) | (column & 0xffffffffL);
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  /** The problems ordered by position in the file. */
  List<RecipeProblem> sorted() {
    List<RecipeProblem> copy = new ArrayList<>(list);
    copy.sort(Comparator.comparingInt(RecipeProblem::line)
        .thenComparingInt(RecipeProblem::column));
    return copy;
  }
}
