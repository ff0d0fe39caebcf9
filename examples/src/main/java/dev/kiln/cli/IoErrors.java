package dev.kiln.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** One sentence for an I/O failure, in words a user can act on (never a class name alone). */
final class IoErrors {
  private IoErrors() {}

  static String sentence(IOException e) {
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + ": no such file or directory";
    }
    if (e instanceof AccessDeniedException a) {
      return a.getFile() + ": permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return (f.getFile() == null ? "" : f.getFile() + ": ") + f.getReason();
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? "input/output error ("
        + e.getClass().getSimpleName() + ")" : message;
  }
}
