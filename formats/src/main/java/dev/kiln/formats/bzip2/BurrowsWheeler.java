package dev.kiln.formats.bzip2;

/**
 * The Burrows–Wheeler transform bzip2 stores: the last column of the block's rotations in
 * sorted order, and the row holding the block itself ({@code origPtr}).
 *
 * <p>Rotations are sorted by sorting suffixes. Usually the block's own suffix order is
 * corrected into rotation order by {@link RotationOrder}, which re-places the few rotations
 * starting in the block's repeated tail. When that tail is long, the block is rotated to its
 * least rotation — a Lyndon word when the block is primitive — and the suffix order (with an
 * end smaller than every byte) equals the rotation order, because a Lyndon word is smaller
 * than each of its proper suffixes (if suffix u is a prefix of suffix v = u·x, rotation u·w…
 * beats v·… = u·x… since w < x). A periodic block p^k is transformed as p with each output
 * byte repeated k times: equal rotations are adjacent, and the decoder's walk of p's cycle k
 * times yields p^k.
 * A block that repeats a short pattern without ending on a whole repeat is sorted by
 * {@link NearlyPeriodicRotations}, without suffix sorting.
 */
final class BurrowsWheeler {
  private int[] text = new int[0];
  private byte[] bytes = new byte[0];
  private byte[] doubled = new byte[0];
  private int[] sa = new int[0];
  private final LmsStringSort lmsSort = new LmsStringSort();
  private final RotationOrder rotationOrder = new RotationOrder();
  /** Below this length SA-IS alone is as quick as anything. */
  private static final int SHORTEST_FOR_STRING_SORT = 64;

  /**
   * Writes the last column of {@code block[0..n)}'s sorted rotations to {@code out[0..n)} and
   * returns origPtr.
   */
  int transform(byte[] block, int n, byte[] out) {
    if (n == 1) {
      out[0] = block[0];
      return 0;
    }
    if (sa.length < n) {
      sa = new int[n];
    }
    int nearPeriod = NearlyPeriodicRotations.period(block, n);
    if (nearPeriod > 0) {
      NearlyPeriodicRotations.sort(block, n, nearPeriod, sa);
      rotationOrder.placeNothing(n);
      return rotationOrder.lastColumn(block, n, sa, out);
    }
    boolean stringSortGaveUp = false;
    if (n >= SHORTEST_FOR_STRING_SORT && primitiveRoot(block, n) == n) {
      byte[] readable = block;
      if (block.length < n + LmsStringSort.PADDING) {
        if (bytes.length < n + LmsStringSort.PADDING) {
          bytes = new byte[n + LmsStringSort.PADDING];
        }
        System.arraycopy(block, 0, bytes, 0, n);
        readable = bytes;
      }
      stringSortGaveUp = !lmsSort.sort(readable, n, sa);
      if (stringSortGaveUp) {
        lmsSort.sortByInduction(readable, n, sa);
      }
      if (rotationOrder.place(readable, n, sa)) {
        return rotationOrder.lastColumn(block, n, sa, out);
      }
    }
    if (doubled.length < 2 * n) {
      doubled = new byte[2 * n];
    }
    System.arraycopy(block, 0, doubled, 0, n);
    System.arraycopy(block, 0, doubled, n, n);
    int start = leastRotation(doubled, n);
    if (bytes.length < n + LmsStringSort.PADDING) {
      bytes = new byte[n + LmsStringSort.PADDING];
    }
    System.arraycopy(doubled, start, bytes, 0, n);
    int period = primitiveRoot(bytes, n);
    int repeats = n / period;
    if (period < SHORTEST_FOR_STRING_SORT) {
      if (text.length < period) {
        text = new int[period];
      }
      for (int i = 0; i < period; i++) {
        text[i] = bytes[i] & 0xff;
      }
      SuffixArrays.sort(text, period, 256, sa);
    } else if (stringSortGaveUp || !lmsSort.sort(bytes, period, sa)) {
      lmsSort.sortByInduction(bytes, period, sa);
    }
    int blockRotation = (n - start) % n % period; // where block[0] sits in the rotated text
    int origPtr = -1;
    if (repeats == 1) {
      for (int r = 0; r < n; r++) {
        int p = sa[r];
        if (p == 0) {
          out[r] = bytes[n - 1]; // the rotation starting at 0 ends with the last byte
          if (blockRotation == 0) {
            origPtr = r;
          }
        } else {
          out[r] = bytes[p - 1];
          if (p == blockRotation) {
            origPtr = r;
          }
        }
      }
      return origPtr;
    }
    int o = 0;
    for (int r = 0; r < period; r++) {
      int p = sa[r];
      if (p == blockRotation) {
        origPtr = r * repeats;
      }
      byte last = bytes[p == 0 ? period - 1 : p - 1];
      for (int k = 0; k < repeats; k++) {
        out[o++] = last;
      }
    }
    return origPtr;
  }

  /**
   * The start of the lexicographically least rotation of {@code s[0..n)}, given
   * {@code doubled} = s·s (Duval's Lyndon factorization, run over the doubled text).
   */
  static int leastRotation(byte[] doubled, int n) {
    int i = 0;
    int answer = 0;
    while (i < n) {
      answer = i;
      int j = i + 1;
      int k = i;
      while (j < 2 * n) {
        int a = doubled[k] & 0xff;
        int b = doubled[j] & 0xff;
        if (a > b) {
          break;
        }
        k = a < b ? i : k + 1;
        j++;
      }
      while (i <= k) {
        i += j - k;
      }
    }
    return answer;
  }

  /**
   * The length of the shortest p with {@code text[0..n) = text[0..p)^(n/p)}; n if the text
   * is primitive. Such a p divides n, and a text that is not periodic differs from its shift
   * within a few bytes, so trying each divisor with a vectorised comparison costs next to
   * nothing.
   */
  static int primitiveRoot(byte[] text, int n) {
    int[] divisors = new int[2 * (int) Math.sqrt(n) + 2];
    int count = 0;
    for (int d = 1; (long) d * d <= n; d++) {
      if (n % d == 0) {
        divisors[count++] = d;
        divisors[count++] = n / d;
      }
    }
    java.util.Arrays.sort(divisors, 0, count);
    for (int i = 0; i < count; i++) {
      int p = divisors[i];
      if (p < n && java.util.Arrays.mismatch(text, 0, n - p, text, p, n) < 0) {
        return p;
      }
    }
    return n;
  }
}
