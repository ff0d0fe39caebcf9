package dev.kiln.api;

import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.registry.FormatRegistry;
import java.util.Objects;

/**
 * One artifact to produce: a disk format for a hypervisor, optionally compressed. The format
 * must be one the hypervisor accepts ({@link TargetHypervisor#formats()}); OVA is never
 * compressed further.
 */
public record OutputSpec(TargetHypervisor hypervisor, ImageFormat format, Packaging compression) {
  public OutputSpec {
    Objects.requireNonNull(hypervisor, "hypervisor");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(compression, "compression");
    if (!hypervisor.formats().contains(format)) {
      throw new IllegalArgumentException(hypervisor + " does not take " + format);
    }
    if (format == ImageFormat.OVA && compression != Packaging.NONE) {
      throw new IllegalArgumentException("an OVA is not compressed further");
    }
  }

  /** The artifact's file name for a template named {@code base}, e.g. {@code x.vhd.bz2}. */
  public String fileName(String base) {
    return base + "." + FormatRegistry.standard().codec(format).extensions().get(0)
        + compression.suffix();
  }
}
