package dev.kiln.formats;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/** Builds sparse raw source disks with every kind of region a real disk has. */
final class TestDisks {
  private TestDisks() {}

  /**
   * A sparse disk of {@code size} bytes: random data, text, an allocated all-zero region, holes,
   * and random bytes in the last, partial cluster.
   */
  static Path mixed(Path dir, String name, long size, long seed) throws IOException {
    Path file = dir.resolve(name);
    Random random = new Random(seed);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
      byte[] rnd = new byte[3 << 20];
      random.nextBytes(rnd);
      f.seek(1 << 20);
      f.write(rnd); // random, crosses cluster and block boundaries
      StringBuilder text = new StringBuilder();
      while (text.length() < (2 << 20)) {
        text.append("line ").append(text.length()).append(": the quick brown fox jumps\n");
      }
      f.seek((10L << 20) + 4096 + 17); // unaligned
      f.write(text.toString().getBytes(StandardCharsets.US_ASCII));
      f.seek(20L << 20);
      f.write(new byte[4 << 20]); // allocated zeros: must not be stored
      byte[] tail = new byte[(int) Math.min(size, 777)];
      random.nextBytes(tail);
      f.seek(size - tail.length);
      f.write(tail); // the last, partial cluster
    }
    return file;
  }

  /** Writes {@code bytes} of random data at {@code offset} of an existing file. */
  static void put(Path file, long offset, int bytes, long seed) throws IOException {
    byte[] data = new byte[bytes];
    new Random(seed).nextBytes(data);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      f.write(data);
    }
  }
}
