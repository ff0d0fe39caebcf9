package dev.kiln.formats.iso9660;

import dev.kiln.formats.FormatException;

/** An ISO 9660 image that is malformed or hostile (loops, extents past the end, bad names). */
public class IsoException extends FormatException {
  private static final long serialVersionUID = 1L;

  public IsoException(String message, String field, long offset) {
    super(message, field, offset);
  }
}
