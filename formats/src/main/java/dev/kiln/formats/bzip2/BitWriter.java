package dev.kiln.formats.bzip2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Bits appended most significant first, into a growing byte array. */
final class BitWriter {
  private static final VarHandle INT_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private byte[] bytes;
  private int length;
  private long buffer;
  private int buffered;

  BitWriter(int capacity) {
    bytes = new byte[Math.max(64, capacity)];
  }

  /** Empties the writer, keeping its array for the next stream. */
  void reset() {
    length = 0;
    buffer = 0;
    buffered = 0;
  }

  /** Appends the low {@code count} bits of {@code value}, count ≤ 32. */
  void write(int count, int value) {
    buffer = (buffer << count) | (value & ((1L << count) - 1));
    buffered += count;
    if (buffered >= 32) {
      if (length + 8 > bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length * 2);
      }
      int shift = buffered - 32;
      INT_BIG_ENDIAN.set(bytes, length, (int) (buffer >>> shift));
      length += 4;
      buffered = shift;
    }
  }

  void writeLong(int count, long value) {
    if (count > 32) {
      write(count - 32, (int) (value >>> 32));
      write(32, (int) value);
    } else {
      write(count, (int) value);
    }
  }

  /** Pads with zero bits to a byte boundary and returns the length in bytes. */
  int finish() {
    while (buffered > 0) {
      if (length + 1 > bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length * 2);
      }
      if (buffered >= 8) {
        bytes[length++] = (byte) (buffer >>> (buffered - 8));
        buffered -= 8;
      } else {
        bytes[length++] = (byte) (buffer << (8 - buffered));
        buffered = 0;
      }
    }
    return length;
  }

  /** Copies the finished bytes to the start of {@code destination}. */
  void copyTo(byte[] destination) {
    System.arraycopy(bytes, 0, destination, 0, length);
  }
}
