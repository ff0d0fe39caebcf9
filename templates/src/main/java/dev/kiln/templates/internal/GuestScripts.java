package dev.kiln.templates.internal;

import dev.kiln.spi.OsProfile.PackageFamily;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The guest scripts (resources under {@code guest/}) made self-contained for one package
 * family: settings as shell variables, then the package helpers, then the script.
 */
public final class GuestScripts {
  /** Purposes a profile has scripts for. */
  public static final List<String> PURPOSES = List.of("cloudstack-integration",
      "hypervisor-tools", "security-updates", "hardening-scan", "generalize");

  private GuestScripts() {}

  public static Optional<String> script(String purpose, PackageFamily family,
      Map<String, String> settings) {
    if (!PURPOSES.contains(purpose)) {
      return Optional.empty();
    }
    StringBuilder s = new StringBuilder("#!/bin/sh\n# Kiln guest script: ").append(purpose)
        .append(" (").append(family.name().toLowerCase(Locale.ROOT)).append(")\n");
    s.append("KILN_FAMILY=").append(family.name().toLowerCase(Locale.ROOT)).append('\n');
    new TreeMap<>(settings).forEach((k, v) -> s.append(": \"${").append(k).append(":=")
        .append(v.replaceAll("[^A-Za-z0-9 ._+-]", "")).append("}\"\n"));
    s.append("export KILN_FAMILY");
    settings.keySet().stream().sorted().forEach(k -> s.append(' ').append(k));
    s.append('\n');
    s.append(body("packages.sh")).append('\n').append(body(purpose + ".sh"));
    return Optional.of(s.toString());
  }

  /** A resource without its shebang line. */
  private static String body(String name) {
    try (InputStream in = GuestScripts.class.getResourceAsStream("/dev/kiln/templates/guest/"
        + name)) {
      if (in == null) {
        throw new IllegalStateException("guest script " + name + " missing from the Kiln jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.startsWith("#!") ? text.substring(text.indexOf('\n') + 1) : text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
