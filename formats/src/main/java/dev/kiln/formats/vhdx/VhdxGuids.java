package dev.kiln.formats.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * The GUIDs MS-VHDX names (section 2.2 and 2.6), and their on-disk encoding: the first three
 * fields little-endian, the last eight bytes as written.
 */
final class VhdxGuids {
  static final UUID BAT_REGION = UUID.fromString("2DC27766-F623-4200-9D64-115E9BFD4A08");
  static final UUID METADATA_REGION = UUID.fromString("8B7CA206-4790-4B9A-B8FE-575F050F886E");
  static final UUID FILE_PARAMETERS = UUID.fromString("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
  static final UUID VIRTUAL_DISK_SIZE = UUID.fromString("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
  static final UUID PAGE_83_DATA = UUID.fromString("BECA12AB-B2E6-4523-93EF-C309E000C746");
  static final UUID LOGICAL_SECTOR_SIZE = UUID.fromString("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
  static final UUID PHYSICAL_SECTOR_SIZE =
      UUID.fromString("CDA348C7-445D-4471-9CC9-E9885251C556");

  private VhdxGuids() {}

  static void put(ByteBuffer b, UUID id) {
    ByteBuffer le = ByteBuffer.allocate(16);
    long msb = id.getMostSignificantBits();
    le.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (msb >>> 32)).putShort((short) (msb >>> 16))
        .putShort((short) msb);
    le.order(ByteOrder.BIG_ENDIAN).putLong(id.getLeastSignificantBits());
    b.put(le.array());
  }

  static UUID get(ByteBuffer b, int at) {
    ByteBuffer le = ByteBuffer.wrap(new byte[16]);
    b.get(at, le.array());
    le.order(ByteOrder.LITTLE_ENDIAN);
    long a = Integer.toUnsignedLong(le.getInt(0));
    long c = Short.toUnsignedLong(le.getShort(4));
    long d = Short.toUnsignedLong(le.getShort(6));
    le.order(ByteOrder.BIG_ENDIAN);
    return new UUID((a << 32) | (c << 16) | d, le.getLong(8));
  }
}
