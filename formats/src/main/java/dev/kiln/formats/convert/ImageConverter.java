package dev.kiln.formats.convert;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.FormatCodec;
import dev.kiln.formats.WriterOptions;
import dev.kiln.formats.io.Converter;
import dev.kiln.formats.io.TemporaryFiles;
import dev.kiln.formats.pack.Checksums;
import dev.kiln.formats.pack.PackagedFile;
import dev.kiln.formats.pack.Packager;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.function.LongConsumer;

/**
 * Converts an image file into a packaged artifact: read the source (any readable format,
 * detected from its content), write the target format, package it, checksum it. Nothing appears
 * under {@code destination} unless every step succeeded.
 */
public final class ImageConverter {
  private ImageConverter() {}

  /**
   * @param threads threads for compression (qcow2 clusters and packaging)
   * @param progress receives the guest bytes converted, then the bytes packaged
   */
  public static PackagedFile convert(Path source, Path destination, ConversionTarget target,
      int threads, LongConsumer progress) throws IOException {
    return convert(source, destination, target, threads, Checksums.ALL, progress);
  }

  /**
   * As {@link #convert(Path, Path, ConversionTarget, int, LongConsumer)}, computing only the
   * {@code checksums} named (a subset of {@link Checksums#ALGORITHMS}; none skips them).
   */
  public static PackagedFile convert(Path source, Path destination, ConversionTarget target,
      int threads, java.util.Set<String> checksums, LongConsumer progress) throws IOException {
    return convert(source, destination, target, threads, checksums,
        (phase, done, total) -> progress.accept(done));
  }

  /**
   * As {@link #convert(Path, Path, ConversionTarget, int, java.util.Set, LongConsumer)},
   * reporting each phase with its own total (what a progress bar needs).
   */
  public static PackagedFile convert(Path source, Path destination, ConversionTarget target,
      int threads, java.util.Set<String> checksums, ConversionProgress progress)
      throws IOException {
    if (FormatRegistry.standard().detect(source) == dev.kiln.formats.ImageFormat.OVA) {
      Path disk = TemporaryFiles.register(destination.resolveSibling(destination.getFileName()
          + ".ova-disk.partial"));
      try (dev.kiln.formats.ova.OvaReader ova = dev.kiln.formats.ova.OvaReader.open(source)) {
        java.util.List<String> problems = ova.verifyManifest();
        if (!problems.isEmpty()) {
          throw new dev.kiln.formats.FormatException(String.join("; ", problems), "manifest",
              -1);
        }
        if (ova.summary().disks().isEmpty()) {
          throw new dev.kiln.formats.FormatException("the OVA has no disk", "DiskSection", -1);
        }
        String href = ova.summary().disks().get(0).href();
        ova.extract(href, disk);
        dev.kiln.formats.ImageFormat inner = FormatRegistry.standard().detect(disk);
        if (inner != dev.kiln.formats.ImageFormat.VMDK) {
          // an OVA's disk is a VMDK (DSP0243 with VMware's format URLs); anything else would
          // be copied through as if it were the guest's disk
          throw new dev.kiln.formats.FormatException("the OVA's disk " + href + " is "
              + inner.name().toLowerCase(java.util.Locale.ROOT) + ", not a VMDK",
              "References/File href", -1);
        }
        return convert(disk, destination, target, threads, checksums, progress);
      } finally {
        TemporaryFiles.delete(disk);
      }
    }
    if (target.format() == dev.kiln.formats.ImageFormat.OVA) {
      try (DiskImage in = FormatRegistry.standard().open(source)) {
        long size = in.virtualSize();
        dev.kiln.formats.ova.OvfSpec spec = (dev.kiln.formats.ova.OvfSpec) target.options()
            .orElseGet(() -> FormatRegistry.standard().codec(target.format())
                .defaultOptions(destination.getFileName().toString()));
        return dev.kiln.formats.ova.OvaWriter.write(in, destination, spec, threads,
            target.stamp(), done -> progress.update(ConversionProgress.Phase.CONVERT,
                done, size));
      }
    }
    Path image = target.packaging() == Packaging.NONE ? destination
        : TemporaryFiles.register(intermediate(destination));
    try {
      try (DiskImage in = FormatRegistry.standard().open(source);
          DiskWriter out = writer(image, in.virtualSize(), target)) {
        long size = in.virtualSize();
        Converter.convert(in, out, done -> progress.update(ConversionProgress.Phase.CONVERT,
            done, size));
      }
      Instant stamp = target.stamp();
      long imageSize = java.nio.file.Files.size(image);
      return new Packager(threads, stamp, checksums).pack(image, destination, target.packaging(),
          done -> progress.update(ConversionProgress.Phase.PACKAGE, done, imageSize));
    } finally {
      if (!image.equals(destination)) {
        TemporaryFiles.delete(image);
      }
    }
  }

  /**
   * Where the unpackaged image of a packaged artifact is written: beside it, under a name that
   * ends in {@code .partial} like every temporary file Kiln leaves in an output directory.
   */
  public static Path intermediate(Path destination) {
    return destination.resolveSibling(destination.getFileName() + ".image.partial");
  }

  /** The artifact's name without temporary and packaging suffixes: {@code x.vmdk}. */
  static String artifactName(Path file) {
    String name = file.getFileName().toString();
    for (String suffix : new String[] {".partial", ".image"}) {
      if (name.endsWith(suffix)) {
        name = name.substring(0, name.length() - suffix.length());
      }
    }
    return Packaging.ofFileName(name).strip(name);
  }

  /**
   * A writer of {@code t}'s format (not a container) into {@code file}, with {@code t}'s options
   * or its codec's defaults for an artifact of that name.
   */
  public static DiskWriter writer(Path file, long size, ConversionTarget t) throws IOException {
    return write(FormatRegistry.standard().codec(t.format()), file, size, t);
  }

  private static <O extends WriterOptions> DiskWriter write(FormatCodec<O> codec, Path file,
      long size, ConversionTarget t) throws IOException {
    O options = t.options().map(codec.optionsType()::cast)
        .orElseGet(() -> codec.defaultOptions(artifactName(file)));
    return codec.writer(file, size, options);
  }
}
