package dev.kiln.templates.internal;

/** POSIX shell quoting for values placed into generated scripts. */
public final class Shell {
  private Shell() {}

  /** {@code value} as one single-quoted shell word; a quote inside becomes {@code '\''}. */
  public static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL cannot be passed to a shell");
    }
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
