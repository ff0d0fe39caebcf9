package dev.kiln.cloudstack;

import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.ova.OvfSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/**
 * Small real disk images for publishing tests, in the format and packaging their name asks
 * for (CloudStack checks a file's content as well as its name, and so does the publisher):
 * 1 MiB of data that differs per name, so every artifact has its own SHA-256.
 */
public final class TestImages {
  private TestImages() {}

  public static Path image(Path dir, String name) throws Exception {
    Path raw = Files.createTempFile(dir, "src", ".raw");
    byte[] data = new byte[1 << 20];
    new Random(name.hashCode()).nextBytes(data);
    Files.write(raw, data);
    Path out = dir.resolve(name);
    ImageConverter.convert(raw, out, ConversionTarget.forFileName(name, Optional.empty(),
        java.util.List.of(OvfSpec.minimal(name.replaceAll("\\..*$", "")))), 1, n -> { });
    Files.delete(raw);
    return out;
  }
}
