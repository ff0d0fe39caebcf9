package dev.kiln.cli;

import dev.kiln.api.OutputSpec;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.registry.FormatRegistry;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What an artifact's name says, resolved through the format registry: its CloudStack output
 * ({@code publish FILE}, {@code build --format vhd.bz2}) and its family ({@code x.qcow2} → x).
 */
final class ArtifactNames {
  private ArtifactNames() {}

  /**
   * The output a {@code --format} value names: a format and optionally a packaging,
   * {@code qcow2}, {@code vhd.zip}, {@code raw.xz}.
   */
  static OutputSpec output(String format) {
    String name = "artifact." + format;
    if (!format.matches("[A-Za-z0-9.]+")
        || FormatRegistry.standard().forFileName(name).isEmpty()) {
      java.util.Set<String> registered = new java.util.TreeSet<>();
      for (TargetHypervisor h : TargetHypervisor.values()) {
        h.formats().forEach(f -> registered.addAll(FormatRegistry.standard().codec(f)
            .extensions()));
      }
      throw new IllegalArgumentException("unknown output format '" + format + "': give a "
          + "format CloudStack registers (" + String.join(", ", registered) + "), optionally "
          + "followed by a packaging (" + FormatRegistry.packagingText() + "), e.g. vhd.bz2");
    }
    return specOf(Path.of(name));
  }

  /**
   * What CloudStack hypervisor and format a file is for, by its name (resolved by the format
   * registry): the first hypervisor that takes the format, except that a zipped VHD is Hyper-V's
   * (CloudStack's Hyper-V templates are {@code .vhd.zip}) and a plain one XenServer's.
   */
  static OutputSpec specOf(Path file) {
    FormatRegistry registry = FormatRegistry.standard();
    FormatRegistry.FileName named = registry.forFileName(file.getFileName().toString())
        .orElseThrow(() -> new IllegalArgumentException("cannot tell the format of "
            + file.getFileName() + " (expected " + registry.extensionsText() + ", optionally "
            + FormatRegistry.packagingText() + ")"));
    ImageFormat format = named.codec().format();
    Packaging packaging = named.packaging();
    if (format == ImageFormat.VHD) {
      return new OutputSpec(packaging == Packaging.ZIP ? TargetHypervisor.HYPERV
          : TargetHypervisor.XENSERVER, format, packaging);
    }
    for (TargetHypervisor h : TargetHypervisor.values()) {
      if (h.formats().contains(format)) {
        return new OutputSpec(h, format, packaging);
      }
    }
    throw new IllegalArgumentException(file.getFileName() + " is a " + format.name()
        .toLowerCase(Locale.ROOT) + " image, which no CloudStack hypervisor registers");
  }

  /**
   * The default family: the file name without its format and packaging extensions, so
   * {@code ubuntu-24.04-x86_64.qcow2.bz2} gives {@code ubuntu-24.04-x86_64} (a version's dots
   * are kept).
   */
  static String baseName(Path file) {
    String name = file.getFileName().toString();
    String stem = FormatRegistry.standard().forFileName(name)
        .map(FormatRegistry.FileName::stem).filter(s -> !s.isEmpty()).orElse(name);
    return stem.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
  }

}
