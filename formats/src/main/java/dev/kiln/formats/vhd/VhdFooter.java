package dev.kiln.formats.vhd;

import dev.kiln.formats.FormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The 512-byte VHD footer ("Virtual Hard Disk Image Format Specification" 1.0, "Hard Disk
 * Footer Format"), big-endian. {@link #write} and {@link #read} mirror each other.
 */
public record VhdFooter(long dataOffset, long timestamp, String creatorApplication,
    int creatorVersion, long originalSize, long currentSize, VhdGeometry geometry, int diskType,
    UUID uniqueId) {
  public static final String COOKIE = "conectix";
  public static final int FEATURES_RESERVED = 0x00000002;
  public static final int FILE_FORMAT_VERSION = 0x00010000;
  public static final int DISK_TYPE_FIXED = 2;
  public static final int DISK_TYPE_DYNAMIC = 3;
  /** Creator host OS field; readers ignore it, qemu writes the same. */
  public static final String CREATOR_HOST_OS = "Wi2k";
  public static final int SIZE = 512;

  public void write(ByteBuffer b) {
    int start = b.position();
    b.put(COOKIE.getBytes(StandardCharsets.US_ASCII)).putInt(FEATURES_RESERVED)
        .putInt(FILE_FORMAT_VERSION).putLong(dataOffset).putInt((int) timestamp)
        .put(fourCc(creatorApplication)).putInt(creatorVersion)
        .put(fourCc(CREATOR_HOST_OS)).putLong(originalSize).putLong(currentSize)
        .putShort((short) geometry.cylinders()).put((byte) geometry.heads())
        .put((byte) geometry.sectorsPerTrack()).putInt(diskType);
    int checksumAt = b.position();
    b.putInt(0).putLong(uniqueId.getMostSignificantBits())
        .putLong(uniqueId.getLeastSignificantBits()).put((byte) 0); // saved state
    while (b.position() - start < SIZE) {
      b.put((byte) 0);
    }
    b.putInt(checksumAt, VhdChecksum.of(b, start, SIZE));
  }

  public static VhdFooter read(ByteBuffer b, long at) throws FormatException {
    int start = b.position();
    String cookie = new String(bytes(b, start, 8), StandardCharsets.US_ASCII);
    if (!cookie.equals(COOKIE)) {
      throw new FormatException("no VHD footer cookie", "cookie", at);
    }
    int stored = b.getInt(start + 64);
    if (stored != VhdChecksum.of(b, start, SIZE, 64)) {
      throw new FormatException("footer checksum mismatch", "checksum", at + 64);
    }
    return new VhdFooter(b.getLong(start + 16), Integer.toUnsignedLong(b.getInt(start + 24)),
        new String(bytes(b, start + 28, 4), StandardCharsets.US_ASCII), b.getInt(start + 32),
        b.getLong(start + 40), b.getLong(start + 48),
        new VhdGeometry(Short.toUnsignedInt(b.getShort(start + 56)),
            Byte.toUnsignedInt(b.get(start + 58)), Byte.toUnsignedInt(b.get(start + 59))),
        b.getInt(start + 60), new UUID(b.getLong(start + 68), b.getLong(start + 76)));
  }

  static byte[] fourCc(String s) {
    byte[] out = new byte[4];
    byte[] in = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(in, 0, out, 0, Math.min(4, in.length));
    return out;
  }

  private static byte[] bytes(ByteBuffer b, int at, int len) {
    byte[] out = new byte[len];
    b.get(at, out);
    return out;
  }
}
