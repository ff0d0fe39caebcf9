package dev.kiln.formats.vhdx;

/** Offsets, sizes and BAT arithmetic of MS-VHDX that the reader and writer share. */
final class VhdxLayout {
  static final long MIB = 1 << 20;
  static final long HEADER_1 = 64 << 10;
  static final long HEADER_2 = 128 << 10;
  static final long REGION_TABLE_1 = 192 << 10;
  static final long REGION_TABLE_2 = 256 << 10;
  static final int HEADER_SIZE = 4096;
  static final int REGION_TABLE_SIZE = 64 << 10;
  static final long LOG_OFFSET = MIB;
  static final long LOG_LENGTH = MIB;
  static final long METADATA_OFFSET = 2 * MIB;
  static final long METADATA_LENGTH = MIB;
  static final long BAT_OFFSET = 3 * MIB;
  /** Hyper-V's default block size for dynamic disks. */
  static final int DEFAULT_BLOCK_SIZE = 32 << 20;
  static final int LOGICAL_SECTOR = 512;
  static final int PHYSICAL_SECTOR = 4096;

  static final int PAYLOAD_BLOCK_NOT_PRESENT = 0;
  static final int PAYLOAD_BLOCK_UNDEFINED = 1;
  static final int PAYLOAD_BLOCK_ZERO = 2;
  static final int PAYLOAD_BLOCK_UNMAPPED = 3;
  static final int PAYLOAD_BLOCK_FULLY_PRESENT = 6;
  static final int PAYLOAD_BLOCK_PARTIALLY_PRESENT = 7;

  private VhdxLayout() {}

  /** Payload blocks covered by one sector bitmap block: 2^23 sectors' worth. */
  static long chunkRatio(int blockSize, int logicalSector) {
    return ((1L << 23) * logicalSector) / blockSize;
  }

  static long payloadBlocks(long size, int blockSize) {
    return (size + blockSize - 1) / blockSize;
  }

  /** Total BAT entries of a dynamic disk (payload entries plus interleaved bitmap entries). */
  static long batEntries(long size, int blockSize, int logicalSector) {
    long payload = payloadBlocks(size, blockSize);
    long ratio = chunkRatio(blockSize, logicalSector);
    return payload == 0 ? 0 : payload + (payload - 1) / ratio;
  }

  /** BAT index of payload block {@code block}: a bitmap entry follows every chunk. */
  static long batIndex(long block, int blockSize, int logicalSector) {
    long ratio = chunkRatio(blockSize, logicalSector);
    return block + block / ratio;
  }

  static long alignMib(long n) {
    return (n + MIB - 1) / MIB * MIB;
  }
}
