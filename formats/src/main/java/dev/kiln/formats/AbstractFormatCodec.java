package dev.kiln.formats;

import java.util.List;
import java.util.Objects;

/** The facts every codec states the same way: its format, extensions, limit, options type. */
public abstract class AbstractFormatCodec<O extends WriterOptions> implements FormatCodec<O> {
  private final ImageFormat format;
  private final List<String> extensions;
  private final long maxVirtualSize;
  private final Class<O> optionsType;

  protected AbstractFormatCodec(ImageFormat format, List<String> extensions,
      long maxVirtualSize, Class<O> optionsType) {
    this.format = Objects.requireNonNull(format);
    this.extensions = List.copyOf(extensions);
    this.maxVirtualSize = maxVirtualSize;
    this.optionsType = Objects.requireNonNull(optionsType);
  }

  @Override
  public final ImageFormat format() {
    return format;
  }

  @Override
  public final List<String> extensions() {
    return extensions;
  }

  @Override
  public final long maxVirtualSize() {
    return maxVirtualSize;
  }

  @Override
  public final Class<O> optionsType() {
    return optionsType;
  }
}
