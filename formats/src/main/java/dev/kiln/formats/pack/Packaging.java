package dev.kiln.formats.pack;

import java.util.Locale;
import java.util.Optional;

/** How a finished image is packaged for download, named by its file suffix. */
public enum Packaging {
  NONE(""),
  BZIP2(".bz2"),
  GZIP(".gz"),
  ZIP(".zip"),
  XZ(".xz");

  private final String suffix;

  Packaging(String suffix) {
    this.suffix = suffix;
  }

  /** The suffix appended to the image's name, e.g. {@code .bz2}; empty for none. */
  public String suffix() {
    return suffix;
  }

  /** The packaging a file name ends with, e.g. {@code x.vhd.bz2} → BZIP2; NONE otherwise. */
  public static Packaging ofFileName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (Packaging p : values()) {
      if (p != NONE && lower.endsWith(p.suffix)) {
        return p;
      }
    }
    return NONE;
  }

  /** {@code name} without this packaging's suffix. */
  public String strip(String name) {
    return this == NONE ? name : name.substring(0, name.length() - suffix.length());
  }

  /** Parses {@code bz2}, {@code bzip2}, {@code gz}, {@code gzip}, {@code zip}, {@code none}. */
  public static Optional<Packaging> parse(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    for (Packaging p : values()) {
      if (p.name().toLowerCase(Locale.ROOT).equals(t) || (!p.suffix.isEmpty()
          && p.suffix.substring(1).equals(t))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
