package dev.kiln.formats.convert;

import dev.kiln.formats.FormatCodec;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.WriterOptions;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.registry.FormatRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to write: a format with its own options, and the packaging around it.
 *
 * @param format the format to write
 * @param packaging compression applied after conversion
 * @param options the format's writer options; empty for its codec's defaults
 * @param stamp the time written into headers and archive entries
 */
public record ConversionTarget(ImageFormat format, Packaging packaging,
    Optional<WriterOptions> options, Instant stamp) {
  public ConversionTarget {
    Objects.requireNonNull(format);
    Objects.requireNonNull(packaging);
    Objects.requireNonNull(options);
    Objects.requireNonNull(stamp);
    FormatCodec<?> codec = FormatRegistry.standard().codec(format);
    if (codec.isContainer() && packaging != Packaging.NONE) {
      throw new IllegalArgumentException("an " + format + " is already an archive; do not "
          + "compress it");
    }
    options.ifPresent(o -> {
      if (!codec.optionsType().isInstance(o)) {
        throw new IllegalArgumentException(o.getClass().getSimpleName() + " are not options "
            + "of " + format);
      }
    });
  }

  /** {@code format} packaged as {@code packaging}, with its codec's default options, now. */
  public static ConversionTarget of(ImageFormat format, Packaging packaging) {
    return new ConversionTarget(format, packaging, Optional.empty(), Instant.now());
  }

  /** This target with the format's own {@code options}. */
  public ConversionTarget withOptions(WriterOptions options) {
    return new ConversionTarget(format, packaging, Optional.of(options), stamp);
  }

  /**
   * The target a file name asks for ({@code x.qcow2}, {@code x.vhd.bz2}, {@code x.img}…,
   * resolved by {@link FormatRegistry}); {@code format} overrides the extension. Of
   * {@code choices}, the options of the resolved format apply; others are ignored, so a caller
   * can offer options for every format before it knows the name's.
   *
   * @throws IllegalArgumentException naming the extensions understood
   */
  public static ConversionTarget forFileName(String name, Optional<ImageFormat> format,
      List<? extends WriterOptions> choices) {
    FormatRegistry registry = FormatRegistry.standard();
    Optional<FormatRegistry.FileName> named = registry.forFileName(name);
    Packaging packaging = named.map(FormatRegistry.FileName::packaging)
        .orElse(Packaging.ofFileName(name));
    FormatCodec<?> codec = format.<FormatCodec<?>>map(registry::codec)
        .or(() -> named.map(FormatRegistry.FileName::codec))
        .orElseThrow(() -> new IllegalArgumentException("cannot tell the format of '" + name
            + "': use an extension " + registry.extensionsText() + " (optionally followed by "
            + FormatRegistry.packagingText() + ") or give the format"));
    Optional<WriterOptions> options = choices.stream()
        .filter(o -> codec.optionsType().isInstance(o)).findFirst().map(o -> o);
    return new ConversionTarget(codec.format(), packaging, options, Instant.now());
  }
}
