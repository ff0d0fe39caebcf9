package dev.kiln.formats.bzip2;

import java.util.Arrays;

/**
 * Sorts the rotations of a block that repeats a short pattern but does not end on a whole
 * repeat — a repeated line, a fill pattern: {@code block[i] == block[i + p]} for every
 * {@code i < n - p}, with {@code n % p != 0}. Suffix sorters make such a block their worst
 * case (every comparison runs to the block's end); here its structure gives the order
 * directly, in linear time.
 *
 * <p>Why it works, with u = block[0..p) (primitive, since p is the smallest period):
 * <ul>
 *   <li>a rotation starting at i ≤ n − p begins with u rotated by i mod p, and distinct
 *       rotations of a primitive u differ within p bytes: the <em>phase</em> i mod p orders
 *       such rotations of different phases;
 *   <li>two rotations of one phase, i &lt; j, agree until j's reaches the block's end and wraps
 *       to u's start, while i's continues the pattern (u rotated by n mod p); that comparison
 *       is the same for every pair, so each phase's rotations are in position order, rising or
 *       falling alike;
 *   <li>the fewer than p rotations that wrap within their first p bytes are placed by exact
 *       comparisons, each O(p): two windows that agree over p bytes without wrapping agree
 *       until one of them wraps.
 * </ul>
 * Equal rotations would need n % p == 0, which is the periodic case, handled elsewhere.
 */
final class NearlyPeriodicRotations {
  /** Periods searched; a comparison costs up to three periods and placing costs p of them. */
  static final int MAX_PERIOD = 1024;

  private NearlyPeriodicRotations() {}

  /**
   * The smallest p with {@code block[i] == block[i + p]} for all {@code i < n - p}, when
   * p ≤ {@link #MAX_PERIOD}, p ≤ n / 4 and p does not divide n; 0 otherwise. Costs a scan
   * of 1024 positions on ordinary data; gives up after comparing 4n bytes of candidates.
   */
  static int period(byte[] block, int n) {
    int limit = Math.min(MAX_PERIOD, n / 4);
    long budget = 4L * n;
    byte first = block[0];
    for (int p = 1; p <= limit; p++) {
      if (block[p] != first) {
        continue;
      }
      int at = Arrays.mismatch(block, 0, n - p, block, p, n);
      if (at < 0) {
        return n % p == 0 ? 0 : p;
      }
      budget -= at;
      if (budget < 0) {
        return 0;
      }
    }
    return 0;
  }

  /** Writes the start of each rotation of {@code block[0..n)}, in sorted order, to {@code sa}. */
  static void sort(byte[] block, int n, int p, int[] sa) {
    Integer[] phases = new Integer[p];
    for (int i = 0; i < p; i++) {
      phases[i] = i;
    }
    // phase windows [φ, φ + p) lie inside the block (n ≥ 4p) and differ within p bytes
    Arrays.sort(phases, (a, b) -> compareWindows(block, a, b, p));
    boolean rising = compareRotations(block, n, p, 0, p) < 0; // the same for every phase
    int lastRegular = n - p; // rotations from here on start with a whole period
    int w = 0;
    for (Integer phase : phases) {
      int count = (lastRegular - phase) / p + 1;
      if (rising) {
        for (int i = phase; i <= lastRegular; i += p) {
          sa[w++] = i;
        }
      } else {
        for (int i = phase + (count - 1) * p; i >= phase; i -= p) {
          sa[w++] = i;
        }
      }
    }
    int regular = w;
    Integer[] wrapping = new Integer[n - 1 - lastRegular];
    for (int k = 0; k < wrapping.length; k++) {
      wrapping[k] = lastRegular + 1 + k;
    }
    Arrays.sort(wrapping, (a, b) -> compareRotations(block, n, p, a, b));
    int[] below = new int[wrapping.length]; // how many regular rotations sort before each
    for (int k = 0; k < wrapping.length; k++) {
      int lo = k == 0 ? 0 : below[k - 1];
      int hi = regular;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (compareRotations(block, n, p, sa[mid], wrapping[k]) < 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      below[k] = lo;
    }
    // merge from the back, in place: the regular rotations move up past the inserted ones
    int out = n;
    int r = regular;
    for (int k = wrapping.length - 1; k >= 0; k--) {
      while (r > below[k]) {
        sa[--out] = sa[--r];
      }
      sa[--out] = wrapping[k];
    }
  }

  private static int compareWindows(byte[] block, int a, int b, int p) {
    int at = Arrays.mismatch(block, a, a + p, block, b, b + p);
    return at < 0 ? 0 : Integer.compare(block[a + at] & 0xff, block[b + at] & 0xff);
  }

  /**
   * Compares the rotations starting at a and b in O(p): stretches before either wraps are
   * compared over at most one period, because within the block the pattern repeats.
   */
  static int compareRotations(byte[] block, int n, int p, int a, int b) {
    int done = 0;
    while (done < n) {
      int x = a + done < n ? a + done : a + done - n;
      int y = b + done < n ? b + done : b + done - n;
      int stretch = Math.min(n - done, Math.min(n - x, n - y));
      int probe = Math.min(stretch, p);
      int at = Arrays.mismatch(block, x, x + probe, block, y, y + probe);
      if (at >= 0) {
        return Integer.compare(block[x + at] & 0xff, block[y + at] & 0xff);
      }
      done += stretch;
    }
    return 0;
  }
}
