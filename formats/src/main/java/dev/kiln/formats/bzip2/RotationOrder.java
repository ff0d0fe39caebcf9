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
  private final int[] before = new int[MAX_TAIL];
  private int tailStart;
  private int tailCount;
  private long budget;

  /**
   * Finds, for {@code sa} the suffix order of {@code text[0..n)}, the tail whose rotations sort
   * elsewhere and where each goes; {@link #lastColumn} then writes the rotation order's last
   * column. Returns false when the tail is longer than {@link #MAX_TAIL} or the comparisons
   * would cost more than 4n bytes. Needs a primitive text (no two equal rotations).
   */
  boolean place(byte[] text, int n, int[] sa) {
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
    if (f == firstTracked && f > 0) {
      return false;
    }
    tailStart = f;
    tailCount = n - f;
    budget = 4L * n;
    try {
      Integer[] sorted = new Integer[tailCount];
      for (int k = 0; k < tailCount; k++) {
        sorted[k] = f + k;
      }
      Arrays.sort(sorted, (a, b) -> compare(text, n, a, b));
      for (int k = 0; k < tailCount; k++) {
        tail[k] = sorted[k];
      }
      // binary search over sa with the tail's entries still in it: probe the first entry
      // from the tail's rotations on that is not one of them
      for (int k = 0; k < tailCount; k++) {
        int lo = k == 0 ? 0 : before[k - 1];
        int hi = n;
        while (lo < hi) {
          int mid = (lo + hi) >>> 1;
          int m = nextOutsideTail(sa, n, mid);
          if (m == n || compare(text, n, sa[m], tail[k]) > 0) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        before[k] = nextOutsideTail(sa, n, lo);
      }
    } catch (GiveUp e) {
      return false;
    }
    return true;
  }

  /** For {@code sa} already in rotation order: {@link #lastColumn} then moves nothing. */
  void placeNothing(int n) {
    tailStart = n;
    tailCount = 0;
  }

  private int nextOutsideTail(int[] sa, int n, int r) {
    while (r < n && sa[r] >= tailStart) {
      r++;
    }
    return r;
  }

  /**
   * Writes the last column of the rotation order found by {@link #place} to {@code out} and
   * returns origPtr: the suffix order read once, the tail's rotations slotted in on the way.
   */
  int lastColumn(byte[] block, int n, int[] sa, byte[] out) {
    int w = 0;
    int k = 0;
    int origPtr = -1;
    int f = tailStart;
    for (int r = 0; r < n; r++) {
      while (k < tailCount && before[k] == r) {
        int t = tail[k++];
        out[w++] = block[t - 1]; // t >= 1: position 0 never ends the block's tail
      }
      int p = sa[r];
      if (p >= f) {
        continue;
      }
      if (p == 0) {
        origPtr = w;
        out[w++] = block[n - 1];
      } else {
        out[w++] = block[p - 1];
      }
    }
    while (k < tailCount) {
      out[w++] = block[tail[k++] - 1];
    }
    return origPtr;
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
