package dev.kiln.formats.vhd;

import java.nio.ByteBuffer;

/** The VHD checksum: one's complement of the byte sum, with the checksum field counted as 0. */
final class VhdChecksum {
  private VhdChecksum() {}

  /** Over {@code len} bytes from {@code start}, the checksum field assumed already zero. */
  static int of(ByteBuffer b, int start, int len) {
    return of(b, start, len, -1);
  }

  /** Like {@link #of(ByteBuffer, int, int)}, skipping the 4 bytes at {@code checksumAt}. */
  static int of(ByteBuffer b, int start, int len, int checksumAt) {
    long sum = 0;
    for (int i = 0; i < len; i++) {
      if (checksumAt >= 0 && i >= checksumAt && i < checksumAt + 4) {
        continue;
      }
      sum += b.get(start + i) & 0xff;
    }
    return (int) ~sum;
  }
}
