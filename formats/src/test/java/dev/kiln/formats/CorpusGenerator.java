package dev.kiln.formats;

import dev.kiln.formats.io.Converter;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.vhd.VhdOptions;
import dev.kiln.formats.vhd.VhdWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regenerates the hostile-image corpus in {@code src/test/resources/corpus} (gzip-compressed):
 * small valid images written by Kiln, each with one planted corruption. Run with
 * {@code mvn -pl formats test -Dtest=CorpusGenerator -Dkiln.regenerateCorpus=true}; the files
 * are committed, and {@link CorpusTest} checks each against its expected finding.
 */
@EnabledIfSystemProperty(named = "kiln.regenerateCorpus", matches = "true")
class CorpusGenerator {
  @TempDir
  Path tmp;

  @Test
  void regenerate() throws Exception {
    Path source = tmp.resolve("src.raw");
    try (var f = new java.io.RandomAccessFile(source.toFile(), "rw")) {
      f.setLength(4 << 20);
    }
    TestDisks.put(source, 0, 5_000, 1);
    TestDisks.put(source, 3 << 20, 70_000 / 20, 2);
    byte[] qcow2 = write(source, "q.qcow2", false);
    byte[] qcow2c = write(source, "c.qcow2", true);
    byte[] vhd = writeVhd(source);

    Map<String, byte[]> corpus = new LinkedHashMap<>();
    long l1 = ByteBuffer.wrap(qcow2).getLong(40);
    long firstL2 = ByteBuffer.wrap(qcow2).getLong((int) l1) & 0x00fffffffffffe00L;
    corpus.put("qcow2-truncated", java.util.Arrays.copyOf(qcow2, qcow2.length / 2));
    corpus.put("qcow2-bad-magic", edit(qcow2, b -> b.putInt(0, 0x514649fc)));
    corpus.put("qcow2-absurd-size", edit(qcow2, b -> b.putLong(24, 1L << 60)));
    corpus.put("qcow2-backing-file", edit(qcow2, b -> b.putLong(8, 512).putInt(16, 8)));
    corpus.put("qcow2-l2-past-eof", edit(qcow2,
        b -> b.putLong((int) l1, (1L << 63) | (1L << 40))));
    corpus.put("qcow2-l2-loop", edit(qcow2, b -> b.putLong((int) l1, (1L << 63) | l1)));
    corpus.put("qcow2-overlapping-clusters", edit(qcow2,
        b -> b.putLong((int) firstL2 + 8, b.getLong((int) firstL2))));
    corpus.put("qcow2-leaked-cluster", leak(qcow2));
    long cl1 = ByteBuffer.wrap(qcow2c).getLong(40);
    long cl2 = ByteBuffer.wrap(qcow2c).getLong((int) cl1) & 0x00fffffffffffe00L;
    corpus.put("qcow2-bad-compressed-data", edit(qcow2c, b -> {
      long e = b.getLong((int) cl2);
      long host = e & ((1L << 54) - 1);
      for (int i = 0; i < 64; i++) {
        b.put((int) host + i, (byte) 0xff);
      }
    }));
    int footerAt = vhd.length - 512;
    corpus.put("vhd-truncated", java.util.Arrays.copyOf(vhd, vhd.length - 700));
    corpus.put("vhd-bad-footer-checksum", edit(vhd, b -> b.put(footerAt + 70, (byte) 1)));
    corpus.put("vhd-absurd-size", vhdFooter(vhd, b -> b.putLong(footerAt + 48, 1L << 60)));
    corpus.put("vhd-bat-past-eof", edit(vhd, b -> b.putInt(1536, 0x7fffffff)));
    corpus.put("vhd-overlapping-blocks", edit(vhd, b -> b.putInt(1536 + 4, b.getInt(1536))));

    Path out = Path.of("src/test/resources/corpus");
    Files.createDirectories(out);
    for (Map.Entry<String, byte[]> e : corpus.entrySet()) {
      try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(
          out.resolve(e.getKey() + ".gz")))) {
        o.write(e.getValue());
      }
    }
  }

  private byte[] write(Path source, String name, boolean compressed) throws IOException {
    Path out = tmp.resolve(name);
    try (RawImage in = RawImage.open(source);
        Qcow2Writer w = Qcow2Writer.create(out, in.virtualSize(),
            new Qcow2Options("1.1", compressed, 1))) {
      Converter.convert(in, w, d -> { });
    }
    return Files.readAllBytes(out);
  }

  private byte[] writeVhd(Path source) throws IOException {
    Path out = tmp.resolve("d.vhd");
    try (RawImage in = RawImage.open(source);
        VhdWriter w = VhdWriter.create(out, in.virtualSize(), new VhdOptions(true,
            Instant.parse("2026-01-01T00:00:00Z"), new UUID(1, 2)))) {
      Converter.convert(in, w, d -> { });
    }
    return Files.readAllBytes(out);
  }

  private static byte[] edit(byte[] image, java.util.function.Consumer<ByteBuffer> change) {
    byte[] copy = image.clone();
    change.accept(ByteBuffer.wrap(copy));
    return copy;
  }

  /** Changes the VHD footer (both copies) and fixes their checksums, so only the value lies. */
  private static byte[] vhdFooter(byte[] image, java.util.function.Consumer<ByteBuffer> change) {
    byte[] copy = edit(image, change);
    ByteBuffer b = ByteBuffer.wrap(copy);
    int at = copy.length - 512;
    b.putInt(at + 64, 0);
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += copy[at + i] & 0xff;
    }
    b.putInt(at + 64, (int) ~sum);
    System.arraycopy(copy, at, copy, 0, 512);
    return copy;
  }

  /** Appends a cluster with refcount 1 that nothing references. */
  private static byte[] leak(byte[] qcow2) {
    ByteBuffer b = ByteBuffer.wrap(qcow2);
    long rt = b.getLong(48);
    long block = b.getLong((int) rt);
    int clusters = qcow2.length / 65536;
    byte[] copy = java.util.Arrays.copyOf(qcow2, qcow2.length + 65536);
    ByteBuffer c = ByteBuffer.wrap(copy);
    c.putShort((int) block + 2 * clusters, (short) 1);
    return copy;
  }

}
