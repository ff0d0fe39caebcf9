package dev.kiln.api;

/**
 * One thing wrong with a recipe, located precisely.
 *
 * @param file the recipe's file name (or the name given when parsing a string)
 * @param line 1-based line, or 0 when the problem concerns the whole file
 * @param column 1-based column, or 0 when unknown
 * @param field dotted path of the field, e.g. {@code machine.diskSize} or
 *     {@code answers.users[1].name}; empty for the document itself
 * @param message what is wrong and, where possible, how to fix it
 */
public record RecipeProblem(String file, int line, int column, String field, String message) {

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(file);
    if (line > 0) {
      s.append(':').append(line);
      if (column > 0) {
        s.append(':').append(column);
      }
    }
    s.append(": ");
    if (!field.isEmpty()) {
      s.append(field).append(": ");
    }
    return s.append(message).toString();
  }
}
