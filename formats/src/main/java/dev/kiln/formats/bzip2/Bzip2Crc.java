package dev.kiln.formats.bzip2;

/**
 * bzip2's CRC: CRC-32 with polynomial 0x04C11DB7 fed most significant bit first (not the
 * reflected CRC-32 of zip and {@link java.util.zip.CRC32}). Four bytes per step through four
 * tables ("slicing-by-4"): table k holds a byte's CRC followed by k zero bytes.
 */
final class Bzip2Crc {
  private static final int[][] TABLES = new int[4][256];

  static {
    int[] t0 = TABLES[0];
    for (int i = 0; i < 256; i++) {
      int c = i << 24;
      for (int b = 0; b < 8; b++) {
        c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04C11DB7 : c << 1;
      }
      t0[i] = c;
    }
    for (int k = 1; k < 4; k++) {
      for (int i = 0; i < 256; i++) {
        int c = TABLES[k - 1][i];
        TABLES[k][i] = (c << 8) ^ t0[c >>> 24];
      }
    }
  }

  private Bzip2Crc() {}

  /** Continues {@code crc} (the running, not yet inverted value) over {@code data[from..to)}. */
  static int update(int crc, byte[] data, int from, int to) {
    int[] t0 = TABLES[0];
    int[] t1 = TABLES[1];
    int[] t2 = TABLES[2];
    int[] t3 = TABLES[3];
    int i = from;
    for (; i + 4 <= to; i += 4) {
      crc ^= (data[i] << 24) | ((data[i + 1] & 0xff) << 16) | ((data[i + 2] & 0xff) << 8)
          | (data[i + 3] & 0xff);
      crc = t3[crc >>> 24] ^ t2[(crc >>> 16) & 0xff] ^ t1[(crc >>> 8) & 0xff] ^ t0[crc & 0xff];
    }
    for (; i < to; i++) {
      crc = (crc << 8) ^ t0[((crc >>> 24) ^ data[i]) & 0xff];
    }
    return crc;
  }
}
