package dev.kiln.formats.fuzz;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.Extent;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.iso9660.IsoEntry;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.formats.ova.OvaReader;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every fuzz target drives: the readers' public entry points, as {@code kiln inspect} and
 * {@code kiln convert} call them. An input may end in a {@link FormatException} (the typed
 * error a reader owes bad input) or, for a backing file that is not there, a file-system
 * error; anything else — an unchecked exception, {@link OutOfMemoryError},
 * {@link StackOverflowError} — propagates and is a finding.
 */
final class ReaderTargets {
  /** Guest bytes one input may read: enough to cover every seed, bounded for speed. */
  static final long READ_BUDGET = 96L << 20;
  private static final Path DIR = scratch();

  private ReaderTargets() {}

  private static Path scratch() {
    try {
      Path shm = Path.of("/dev/shm");
      Path d = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "kiln-fuzz")
          : Files.createTempDirectory("kiln-fuzz");
      d.toFile().deleteOnExit();
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path file(byte[] data, String name) throws IOException {
    return FuzzInput.write(data, DIR.resolve(name));
  }

  /** detect, inspect, open (with its backing chain) and read every data extent. */
  static void disk(byte[] data) throws IOException {
    Path f = file(data, "disk.img");
    try {
      FormatRegistry.standard().detect(f);
      ImageReport report = FormatRegistry.standard().inspect(f);
      report.problems().forEach(p -> {
        if (p == null || p.isEmpty()) {
          throw new AssertionError("an empty problem in " + report);
        }
      });
      try (DiskImage image = FormatRegistry.standard().openWithBacking(f)) {
        readAll(image);
      }
    } catch (FormatException | FileSystemException expected) {
      // the typed outcome of bad input (FileSystemException: a backing file that is not there)
    } finally {
      Files.deleteIfExists(f);
    }
  }

  private static void readAll(DiskImage image) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long budget = READ_BUDGET;
    for (Extent e : image.dataExtents()) {
      for (long pos = e.offset(); pos < e.end() && budget > 0; pos += buf.capacity()) {
        buf.clear().limit((int) Math.min(buf.capacity(), e.end() - pos));
        budget -= buf.remaining();
        image.read(pos, buf);
        if (buf.hasRemaining()) {
          throw new AssertionError("read left " + buf.remaining() + " bytes unfilled");
        }
      }
    }
  }

  /** open, list every entry, read each file, and the El Torito catalog. */
  static void iso(byte[] data) throws IOException {
    Path f = file(data, "image.iso");
    Path out = DIR.resolve("extracted");
    try (IsoReader iso = IsoReader.open(f)) {
      iso.volumeId();
      iso.jolietVolumeId();
      for (IsoEntry e : iso.entries()) {
        iso.list(e.path());
        if (!e.directory() && e.size() <= (4 << 20)) {
          iso.extract(e.path(), out);
          Files.deleteIfExists(out);
        }
      }
      iso.bootEntries();
    } catch (FormatException expected) {
      // the typed outcome of bad input
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(f);
    }
  }

  /** open, summarise, verify the manifest, extract every member, and inspect. */
  static void ova(byte[] data) throws IOException {
    Path f = file(data, "appliance.ova");
    Path out = DIR.resolve("member");
    try {
      FormatRegistry.standard().inspect(f);
      try (OvaReader ova = OvaReader.open(f)) {
        ova.summary();
        ova.verifyManifest();
        for (String m : ova.members()) {
          ova.extract(m, out);
          Files.deleteIfExists(out);
        }
      }
    } catch (FormatException expected) {
      // the typed outcome of bad input
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(f);
    }
  }
}
