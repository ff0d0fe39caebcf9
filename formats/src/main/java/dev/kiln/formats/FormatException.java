package dev.kiln.formats;

import java.io.IOException;

/** An image that is not what it claims to be: bad magic, corrupt tables, impossible sizes. */
public class FormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final String field;
  private final long offset;

  /**
   * @param field the on-disk field at fault, named as in the format's specification
   * @param offset the byte offset of that field in the file, or -1 when not applicable
   */
  public FormatException(String message, String field, long offset) {
    super(message + " (" + field + (offset >= 0 ? " at offset " + offset : "") + ")");
    this.field = field;
    this.offset = offset;
  }

  /** A message that is already one whole sentence (a limit, not a field of a file). */
  protected FormatException(String sentence, String field) {
    super(sentence);
    this.field = field;
    this.offset = -1;
  }

  /** The field at fault, e.g. {@code l1_table_offset}. */
  public String field() {
    return field;
  }

  /** Its byte offset in the file, or -1. */
  public long offset() {
    return offset;
  }
}
