package dev.kiln.api;

import java.util.Objects;

/**
 * Which operating system to install: a catalog id such as {@code debian}, {@code ubuntu},
 * {@code almalinux}, {@code rhel}, {@code sles}, and its version ({@code 12}, {@code 24.04}).
 */
public record OsSelection(String id, String version) {
  public OsSelection {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(version, "version");
  }

  @Override
  public String toString() {
    return id + "-" + version;
  }
}
