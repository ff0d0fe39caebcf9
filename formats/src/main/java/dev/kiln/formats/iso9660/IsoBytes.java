package dev.kiln.formats.iso9660;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;

/** ECMA-119's field encodings: both-endian numbers, padded strings and the two date forms. */
final class IsoBytes {
  static final int SECTOR = 2048;

  private IsoBytes() {}

  /** 7.3.3: a 32-bit number little-endian then big-endian. */
  static void putBoth32(ByteBuffer b, int at, long value) {
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
    b.order(ByteOrder.BIG_ENDIAN).putInt(at + 4, (int) value);
  }

  /** 7.2.3: a 16-bit number little-endian then big-endian. */
  static void putBoth16(ByteBuffer b, int at, int value) {
    b.order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
    b.order(ByteOrder.BIG_ENDIAN).putShort(at + 2, (short) value);
  }

  /** Reads a both-endian 32-bit field, checking that both halves agree. */
  static long getBoth32(ByteBuffer b, int at) {
    long le = Integer.toUnsignedLong(b.order(ByteOrder.LITTLE_ENDIAN).getInt(at));
    long be = Integer.toUnsignedLong(b.order(ByteOrder.BIG_ENDIAN).getInt(at + 4));
    return le == be ? le : -1;
  }

  static void putLe32(ByteBuffer b, int at, long value) {
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
    b.order(ByteOrder.BIG_ENDIAN);
  }

  static void putBe32(ByteBuffer b, int at, long value) {
    b.order(ByteOrder.BIG_ENDIAN).putInt(at, (int) value);
  }

  /** An a-/d-character field: ASCII, space-padded. */
  static void putPadded(ByteBuffer b, int at, int length, String text) {
    byte[] field = new byte[length];
    Arrays.fill(field, (byte) ' ');
    byte[] t = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, field, 0, Math.min(length, t.length));
    b.put(at, field);
  }

  /** A Joliet field: UCS-2 big-endian, padded with UCS-2 spaces. */
  static void putUcs2Padded(ByteBuffer b, int at, int length, String text) {
    byte[] field = new byte[length];
    for (int i = 0; i + 1 < length; i += 2) {
      field[i] = 0;
      field[i + 1] = ' ';
    }
    byte[] t = text.getBytes(StandardCharsets.UTF_16BE);
    System.arraycopy(t, 0, field, 0, Math.min(length / 2 * 2, t.length));
    b.put(at, field);
  }

  /** 8.4.26.1: 17-byte volume date, "YYYYMMDDHHMMSScc" plus a zero GMT offset. */
  static byte[] volumeDate(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    String s = String.format("%04d%02d%02d%02d%02d%02d%02d", z.getYear(), z.getMonthValue(),
        z.getDayOfMonth(), z.getHour(), z.getMinute(), z.getSecond(), z.getNano() / 10_000_000);
    byte[] out = new byte[17];
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, out, 0, 16);
    return out;
  }

  /** The "not specified" volume date: sixteen '0' digits and a zero offset. */
  static byte[] noDate() {
    byte[] out = new byte[17];
    Arrays.fill(out, 0, 16, (byte) '0');
    return out;
  }

  /** 9.1.5: 7-byte recording date of a directory record. */
  static byte[] recordDate(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    return new byte[] {(byte) (z.getYear() - 1900), (byte) z.getMonthValue(),
        (byte) z.getDayOfMonth(), (byte) z.getHour(), (byte) z.getMinute(),
        (byte) z.getSecond(), 0};
  }

  static long sectors(long bytes) {
    return (bytes + SECTOR - 1) / SECTOR;
  }
}
