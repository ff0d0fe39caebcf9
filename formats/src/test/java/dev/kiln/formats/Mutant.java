package dev.kiln.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An image made by an independent tool (qemu-img, qemu-io, xorriso, Python's tarfile) and then
 * mutated field by field, as a fuzzer or an attacker would: the hostile tests start from what
 * real tools write, not from what Kiln's writers write.
 */
public final class Mutant {
  private final Path file;

  private Mutant(Path file) {
    this.file = file;
  }

  public static Mutant of(Path file) {
    return new Mutant(file);
  }

  /** Runs a tool that must succeed (qemu-img, qemu-io, xorriso, python3). */
  public static void tool(String... command) throws IOException, InterruptedException {
    Tools.Result r = Tools.run(command);
    assertThat(r.exit()).as("%s: %s", String.join(" ", command), r.output()).isZero();
  }

  /** {@code qemu-img create -f FORMAT [-o OPTIONS] FILE SIZE}. */
  public static Mutant qemuImg(Path file, String format, String options, String size)
      throws IOException, InterruptedException {
    if (options == null || options.isEmpty()) {
      tool("qemu-img", "create", "-q", "-f", format, file.toString(), size);
    } else {
      tool("qemu-img", "create", "-q", "-f", format, "-o", options, file.toString(), size);
    }
    return new Mutant(file);
  }

  /** Writes a pattern through qemu-io, as a guest would. */
  public Mutant qemuWrite(String format, long offset, long length, int pattern)
      throws IOException, InterruptedException {
    tool("qemu-io", "-f", format, "-c", "write -q -P " + pattern + " " + offset + " " + length,
        file.toString());
    return this;
  }

  public Path path() {
    return file;
  }

  public byte[] bytes() throws IOException {
    return Files.readAllBytes(file);
  }

  public Mutant putInt(long at, int value, ByteOrder order) throws IOException {
    return put(at, ByteBuffer.allocate(4).order(order).putInt(value).array());
  }

  public Mutant putLong(long at, long value, ByteOrder order) throws IOException {
    return put(at, ByteBuffer.allocate(8).order(order).putLong(value).array());
  }

  public Mutant put(long at, byte[] data) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      f.write(data);
    }
    return this;
  }

  public long getLong(long at, ByteOrder order) throws IOException {
    return ByteBuffer.wrap(read(at, 8)).order(order).getLong();
  }

  public int getInt(long at, ByteOrder order) throws IOException {
    return ByteBuffer.wrap(read(at, 4)).order(order).getInt();
  }

  public byte[] read(long at, int len) throws IOException {
    byte[] b = new byte[len];
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      f.seek(at);
      f.readFully(b);
    }
    return b;
  }

  /** The first offset of {@code needle} at or after {@code from}, or -1. */
  public long find(byte[] needle, long from) throws IOException {
    byte[] all = bytes();
    outer:
    for (int i = (int) from; i + needle.length <= all.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (all[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
