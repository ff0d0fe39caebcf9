package dev.kiln.formats.raw;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.FileHead;
import dev.kiln.formats.AbstractFormatCodec;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.ImageReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A raw disk: the guest's bytes. Every file is one, so a registry asks this codec last, after
 * every format with a magic number has declined.
 */
public final class RawCodec extends AbstractFormatCodec<RawOptions> {
  /** The largest disk: no limit of its own. */
  public static final long MAX_VIRTUAL_SIZE = Long.MAX_VALUE;

  public RawCodec() {
    super(ImageFormat.RAW, List.of("raw", "img"), MAX_VIRTUAL_SIZE, RawOptions.class);
  }

  @Override
  public boolean recognises(FileHead head) {
    return true;
  }

  @Override
  public DiskImage open(Path file) throws IOException {
    return RawImage.open(file);
  }

  @Override
  public ImageReport inspect(Path file) throws IOException {
    return new ImageReport(format(), Files.size(file), RawImage.allocatedBytes(file), List.of(),
        List.of());
  }

  @Override
  public RawOptions defaultOptions(String artifactName) {
    return new RawOptions();
  }

  @Override
  public DiskWriter writer(Path file, long size, RawOptions options) throws IOException {
    return RawWriter.create(file, size);
  }
}
