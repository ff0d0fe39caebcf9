package dev.kiln.templates.values;

import dev.kiln.api.KilnException;

/**
 * A recipe value that cannot be written safely into an answer file (it would break out of its
 * field or means something else to the installer). Names the field, never a secret's value.
 */
public final class AnswerValueException extends KilnException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public AnswerValueException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
