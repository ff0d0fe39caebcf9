package dev.kiln.formats.bzip2;

/**
 * A move-to-front list of byte symbols held eight to a {@code long}: finding a symbol tests
 * eight positions per step (the "has zero byte" bit trick) and moving it to the front shifts
 * eight positions per step. The symbols are bzip2's; random-looking blocks move symbols from
 * deep in the list, where a byte-at-a-time list spends most of the encoder's time.
 */
final class MoveToFront {
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  /** Position i lives in byte (i & 7), least significant first, of word i >>> 3. */
  private final long[] words = new long[32];

  /** The list 0, 1, … 255. */
  MoveToFront() {
    for (int i = 0; i < 256; i++) {
      words[i >>> 3] |= (long) i << ((i & 7) << 3);
    }
  }

  /** Moves {@code symbol} to the front and returns the position it had. */
  int moveToFront(int symbol) {
    long pattern = symbol * ONES;
    long[] w = words;
    int k = 0;
    long found;
    while (true) {
      long x = w[k] ^ pattern;
      found = (x - ONES) & ~x & HIGHS; // the lowest set bit marks the first zero byte
      if (found != 0) {
        break;
      }
      k++;
    }
    int b = Long.numberOfTrailingZeros(found) >>> 3;
    long upToB = b == 7 ? -1L : (1L << ((b + 1) << 3)) - 1; // bytes 0..b of the word
    long word = w[k];
    long carry = k > 0 ? w[k - 1] >>> 56 : symbol;
    w[k] = (word & ~upToB) | ((word << 8) & upToB) | carry;
    for (int q = k - 1; q > 0; q--) {
      w[q] = (w[q] << 8) | (w[q - 1] >>> 56);
    }
    if (k > 0) {
      w[0] = (w[0] << 8) | symbol;
    }
    return (k << 3) + b;
  }
}
