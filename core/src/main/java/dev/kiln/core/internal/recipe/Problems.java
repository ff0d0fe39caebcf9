package dev.kiln.core.internal.recipe;

import dev.kiln.api.RecipeProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects recipe problems for one file, so all of them are reported together. */
final class Problems {
  private final String file;
  private final List<RecipeProblem> list = new ArrayList<>();

  Problems(String file) {
    this.file = file;
  }

  void add(int line, int column, String field, String message) {
    list.add(new RecipeProblem(file, line, column, field, message));
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
