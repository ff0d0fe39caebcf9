package dev.kiln.formats.bzip2;

import java.util.Arrays;

/**
 * Turns a block's suffix order (an end smaller than every byte) into its rotation order, which
 * bzip2 needs, without rotating the block first.
 *
 * <p>The two orders agree on every pair of positions i &lt; j unless block[j..n) is a prefix of
 * block[i..n): otherwise the suffixes differ before j's ends, and so do the rotations, at the
 * same byte. Such j form a tail [f, n) of the block: if block[j..n) occurs elsewhere so does
 * block[j+1..n). The tail is short on ordinary data (a few bytes); its rotations are taken out
 * of the order and put back by binary search with whole-rotation comparisons.
 */
final class RotationOrder {
  /**
   * Longer tails (a block ending inside a long repeat) are left to the caller's other way.
   * Blocks of disk data often end inside a stretch of zeros or a fill pattern: tails of
   * hundreds of bytes are common, and each costs O(log n) comparisons.
   */
  static final int MAX_TAIL = 4096;

  private final int[] rankOfTail = new int[MAX_TAIL];
  private final int[] tail = new int[MAX_TAIL];
  private final int[] below = new int[MAX_TAIL];
  private long budget;

  /**
   * Rewrites {@code sa}, the suffix order of {@code text[0..n)}, into rotation order; returns
   * false, with {@code sa} undefined, when the tail is longer than {@link #MAX_TAIL} or the
   * comparisons would cost more than 4n bytes. Needs a primitive text (no two equal
   * rotations).
   */
  boolean fromSuffixOrder(byte[] text, int n, int[] sa) {
    int firstTracked = Math.max(0, n - MAX_TAIL);
    for (int r = 0; r < n; r++) {
      int p = sa[r];
      if (p >= firstTracked) {
        rankOfTail[p - firstTracked] = r;
      }
    }
    // the suffix right after j in suffix order has block[j..n) as a prefix iff any does: j,
    // the shortest of them, sorts just before the others
    int f = n;
    while (f > firstTracked) {
      int j = f - 1;
      int r = rankOfTail[j - firstTracked];
      if (r + 1 == n) {
        break;
      }
      int next = sa[r + 1];
      if (next + (n - j) > n || Arrays.mismatch(text, j, n, text, next, next + n - j) >= 0) {
        break;
      }
      f = j;
    }
    if (f == firstTracked) {
      return false;
    }
    int count = n - f;
    if (count == 0) {
      return true;
    }
    // take the tail out, in place
    int w = 0;
    for (int r = 0; r < n; r++) {
      int p = sa[r];
      if (p < f) {
        sa[w++] = p;
      }
    }
    budget = 4L * n;
    try {
      Integer[] sorted = new Integer[count];
      for (int k = 0; k < count; k++) {
        sorted[k] = f + k;
      }
      Arrays.sort(sorted, (a, b) -> compare(text, n, a, b));
      for (int k = 0; k < count; k++) {
        tail[k] = sorted[k];
      }
      int rest = n - count;
      for (int k = 0; k < count; k++) {
        int lo = k == 0 ? 0 : below[k - 1];
        int hi = rest;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          if (compare(text, n, sa[mid], tail[k]) < 0) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        below[k] = lo;
      }
    } catch (GiveUp e) {
      return false;
    }
    int out = n;
    int r = n - count;
    for (int k = count - 1; k >= 0; k--) {
      while (r > below[k]) {
        sa[--out] = sa[--r];
      }
      sa[--out] = tail[k];
    }
    return true;
  }

  /** Compares the rotations starting at a and b: at most three stretches that do not wrap. */
  private int compare(byte[] text, int n, int a, int b) {
    int done = 0;
    while (done < n) {
      int x = a + done < n ? a + done : a + done - n;
      int y = b + done < n ? b + done : b + done - n;
      int stretch = Math.min(n - done, Math.min(n - x, n - y));
      int at = Arrays.mismatch(text, x, x + stretch, text, y, y + stretch);
      budget -= at < 0 ? stretch : at;
      if (budget < 0) {
        throw new GiveUp();
      }
      if (at >= 0) {
        return Integer.compare(text[x + at] & 0xff, text[y + at] & 0xff);
      }
      done += stretch;
    }
    return 0;
  }

  /** Thrown when comparisons exceed their budget; never escapes this class. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }
}
