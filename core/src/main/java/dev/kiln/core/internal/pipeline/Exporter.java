package dev.kiln.core.internal.pipeline;

import dev.kiln.api.Firmware;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.formats.DiskImage;
import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.io.Converter;
import dev.kiln.formats.io.FanOutWriter;
import dev.kiln.formats.ova.GuestOs;
import dev.kiln.formats.ova.OvaWriter;
import dev.kiln.formats.ova.OvfSpec;
import dev.kiln.formats.pack.PackagedFile;
import dev.kiln.formats.pack.Packager;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the generalized disk (a build machine's overlay over its base) into the recipe's
 * artifacts: every qcow2, VHD, VHDX and raw output is written in one read of the disk (a
 * {@link FanOutWriter}), then packaged (bz2, gz, zip, xz) and checksummed; an OVA needs its own
 * read (its VMDK is streamed into the archive). Nothing appears under an artifact's name until
 * it is whole.
 */
public final class Exporter {
  /** One written artifact and the virtual size of the disk it holds. */
  public record Artifact(OutputSpec spec, PackagedFile file, long virtualSize) {}

  private Exporter() {}

  /**
   * Every output in one read of {@code disk}, computing the checksums named in
   * {@code algorithms} ({@code SHA-256}, {@code SHA-512}, {@code MD5}) as they are written.
   */
  public static List<Artifact> export(Path disk, List<OutputSpec> outputs, Path outDir,
      String baseName, String osId, int cpus, long memoryMiB, Firmware firmware,
      String buildId, EventHandlers events, DiskWriter scan, java.util.Set<String> algorithms)
      throws IOException {
    Files.createDirectories(outDir);
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    Instant stamp = Instant.now();
    List<OutputSpec> images = outputs.stream().filter(o -> o.format() != ImageFormat.OVA)
        .distinct().toList();
    List<Artifact> out = new ArrayList<>();
    List<Path> intermediates = new ArrayList<>();
    long virtualSize = 0;
    try {
      if (images.isEmpty()) {
        // only an OVA: the scan gets a read of its own
        try (DiskImage in = FormatRegistry.standard().openWithBacking(disk)) {
          Converter.convert(in, scan, done -> { });
        }
      } else {
        List<DiskWriter> writers = new ArrayList<>();
        writers.add(scan);
        try (DiskImage in = FormatRegistry.standard().openWithBacking(disk)) {
          for (OutputSpec o : images) {
            // the unpackaged image beside its artifact, named *.partial like every temporary
            // file in the output directory, and removed on SIGTERM or Ctrl-C
            Path image = dev.kiln.formats.io.TemporaryFiles.register(
                ImageConverter.intermediate(outDir.resolve(o.fileName(baseName))));
            intermediates.add(image);
            writers.add(ImageConverter.writer(image, in.virtualSize(), target(o, stamp)));
          }
          long size = in.virtualSize();
          virtualSize = size;
          try (FanOutWriter fan = new FanOutWriter(writers)) {
            Converter.convert(in, fan, done -> events.dispatch(new KilnEvent.ByteProgress(
                buildId, Instant.now(), Stage.EXPORT, "convert " + images.size()
                + " image(s)", done, size)));
          }
        }
        Packager packager = new Packager(threads, stamp, algorithms);
        for (int i = 0; i < images.size(); i++) {
          OutputSpec o = images.get(i);
          Path dest = outDir.resolve(o.fileName(baseName));
          PackagedFile f = packager.pack(intermediates.get(i), dest, o.compression(),
              n -> events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(),
                  Stage.EXPORT, "package " + dest.getFileName(), n, -1)));
          out.add(new Artifact(o, f, virtualSize));
        }
      }
      for (OutputSpec o : outputs) {
        if (o.format() != ImageFormat.OVA) {
          continue;
        }
        Path dest = outDir.resolve(o.fileName(baseName));
        try (DiskImage in = FormatRegistry.standard().openWithBacking(disk)) {
          OvfSpec spec = new OvfSpec(baseName, GuestOs.forOs(osId), cpus, memoryMiB,
              firmware == Firmware.UEFI, "vmx-14", "lsilogic", buildId, buildId);
          long size = in.virtualSize();
          out.add(new Artifact(o, OvaWriter.write(in, dest, spec, threads, stamp,
              n -> events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(),
                  Stage.EXPORT, "write " + dest.getFileName(), n, size))), size));
        }
      }
      return out;
    } finally {
      for (Path p : intermediates) {
        dev.kiln.formats.io.TemporaryFiles.delete(p);
      }
    }
  }

  private static ConversionTarget target(OutputSpec o, Instant stamp) {
    return new ConversionTarget(o.format(), Packaging.NONE, java.util.Optional.empty(), stamp);
  }

  /**
   * The sums files (coreutils format) of the digests every artifact has: SHA256SUMS,
   * sha512sum.txt, MD5SUMS. A file is written only when every artifact has its digest.
   */
  public static void writeChecksumFiles(Path outDir, List<Artifact> artifacts)
      throws IOException {
    Map<String, String> files = new java.util.LinkedHashMap<>();
    files.put("SHA-256", "SHA256SUMS");
    files.put("SHA-512", "sha512sum.txt");
    files.put("MD5", "MD5SUMS");
    for (Map.Entry<String, String> f : files.entrySet()) {
      StringBuilder sums = new StringBuilder();
      boolean all = !artifacts.isEmpty();
      for (Artifact a : artifacts) {
        String digest = a.file().checksums().get(f.getKey());
        all &= digest != null;
        sums.append(digest).append("  ").append(a.file().file().getFileName()).append('\n');
      }
      if (all) {
        Files.writeString(outDir.resolve(f.getValue()), sums);
      }
    }
  }
}
