package dev.kiln.formats.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.io.Converter;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.raw.RawWriter;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken stream-optimized VMDKs give typed errors, never garbage or partial output. */
class VmdkHostileTest {
  @TempDir
  Path dir;
  byte[] good;

  @BeforeEach
  void write() throws Exception {
    Path raw = dir.resolve("src.raw");
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength(8 << 20);
      f.seek(1 << 20);
      f.write("grain data ".repeat(10_000).getBytes());
    }
    Path vmdk = dir.resolve("good.vmdk");
    try (RawImage in = RawImage.open(raw);
        VmdkStreamWriter w = VmdkStreamWriter.create(vmdk, in.virtualSize(),
            new VmdkOptions("good.vmdk", "lsilogic", 14, 1, 1))) {
      Converter.convert(in, w, d -> { });
    }
    good = Files.readAllBytes(vmdk);
  }

  private Path variant(String name, byte[] data) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, data);
    return p;
  }

  private static void assertConversionFails(Path vmdk, String message) {
    Path out = vmdk.resolveSibling(vmdk.getFileName() + ".raw");
    assertThatThrownBy(() -> {
      try (var in = FormatRegistry.standard().open(vmdk);
          RawWriter w = RawWriter.create(out, in.virtualSize())) {
        Converter.convert(in, w, d -> { });
      }
    }).isInstanceOf(FormatException.class).hasMessageContaining(message);
    assertThat(out).doesNotExist();
    assertThat(out.resolveSibling(out.getFileName() + ".partial")).doesNotExist();
  }

  @Test
  void corruptGrainMarkerIsRefused() throws Exception {
    byte[] bad = good.clone();
    int firstGrain = VmdkConstants.OVERHEAD_SECTORS * VmdkConstants.SECTOR;
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(firstGrain, 999_999);
    Path p = variant("marker.vmdk", bad);
    assertConversionFails(p, "grain marker");
    ImageReport r = FormatRegistry.standard().inspect(p);
    assertThat(r.problems()).anySatisfy(s -> assertThat(s).contains("grain marker"));
  }

  @Test
  void grainDirectoryPastTheEndIsRefused() throws Exception {
    byte[] bad = good.clone();
    int footer = bad.length - 2 * VmdkConstants.SECTOR;
    ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(footer + 56, 1L << 30);
    Path p = variant("gd.vmdk", bad);
    assertThatThrownBy(() -> FormatRegistry.standard().open(p)).isInstanceOf(FormatException.class)
        .hasMessageContaining("past the end of the file");
  }

  @Test
  void truncatedStreamIsRefused() throws Exception {
    Path p = variant("short.vmdk", Arrays.copyOf(good, good.length / 2));
    assertThatThrownBy(() -> FormatRegistry.standard().open(p).close()).isInstanceOf(FormatException.class);
  }

  @Test
  void corruptCompressedDataIsRefused() throws Exception {
    byte[] bad = good.clone();
    int data = VmdkConstants.OVERHEAD_SECTORS * VmdkConstants.SECTOR + 12;
    for (int i = 2; i < 40; i++) {
      bad[data + i] = (byte) 0xff;
    }
    assertConversionFails(variant("zlib.vmdk", bad), "zlib");
  }
}
