package dev.kiln.core.matrix;

import dev.kiln.api.Recipe;
import java.util.Objects;
import java.util.Set;

/** One build of a matrix: a unique id, its recipe, and the labels its host must carry. */
public record MatrixEntry(String id, Recipe recipe, Set<String> requiredLabels) {
  public MatrixEntry {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,40}")) {
      throw new IllegalArgumentException("matrix entry id must be [A-Za-z0-9._-]: " + id);
    }
    Objects.requireNonNull(recipe);
    requiredLabels = Set.copyOf(requiredLabels);
  }
}
