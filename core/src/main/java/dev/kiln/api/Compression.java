package dev.kiln.api;

import java.util.Optional;

/** Packaging applied to an artifact after conversion, as CloudStack accepts it. */
public enum Compression {
  NONE(null),
  BZIP2("bz2"),
  GZIP("gz"),
  ZIP("zip"),
  XZ("xz");

  private final String extension;

  Compression(String extension) {
    this.extension = extension;
  }

  /** The suffix appended to the disk's file name, e.g. {@code bz2}; empty for none. */
  public Optional<String> extension() {
    return Optional.ofNullable(extension);
  }
}
