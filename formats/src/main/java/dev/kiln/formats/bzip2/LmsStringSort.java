package dev.kiln.formats.bzip2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Sorts a block's suffixes by sorting only its LMS suffixes directly — bucketed by their first
 * two bytes, then by five bytes at a time, small or deep ties by whole-suffix comparisons —
 * and inducing the rest from them in one pass (the two-stage scheme of Itoh–Tanaka and
 * divsufsort, on SA-IS's seeds). On typical data that is about a quarter of the suffixes with
 * short common prefixes, and it skips SA-IS's recursion. Long repeats make direct comparison
 * slow, so the bytes compared are budgeted: past the budget it gives up and the caller uses
 * {@link SuffixArrays}, which is linear on any input.
 */
final class LmsStringSort {
  private static final VarHandle LONG_BIG_ENDIAN =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  /** Text bytes a key compares. */
  private static final int KEY_BYTES = 5;
  private static final int POSITION_BITS = 20;
  private static final int POSITION_MASK = (1 << POSITION_BITS) - 1;
  /** Ties this deep are sorted by whole-suffix comparisons: long shared prefixes. */
  private static final int DEEP = 128;
  /** Bytes compared per text byte, beyond the first key, before giving up. */
  private static final int BUDGET_PER_BYTE = 256;
  /** Key ranges this large are sorted by radix, a byte at a time. */
  private static final int RADIX_MIN = 128;
  /** The lowest byte radix passes sort: below it lie the count and position bits. */
  private static final int RADIX_LAST_SHIFT = 24;
  /** Ties this small are sorted by comparing whole suffixes. */
  private static final int SMALL_GROUP = 16;
  /** How far past n the byte text must be readable. */
  static final int PADDING = 16;

  private int[] lms = new int[0];
  private long[] keys = new long[0];
  private long[] scratch = new long[0];
  private int[] reduced = new int[0];
  private long[] lmsBits = new long[0];
  private int[] reducedSa = new int[0];
  private long[] radixScratch = new long[0];
  private final int[] radixCounts = new int[256];
  private final int[] radixStarts = new int[256];
  private final int[][] radixEnds = new int[(56 - RADIX_LAST_SHIFT) / 8 + 1][256];
  private final int[] pairStart = new int[65_537];
  private final int[] counts = new int[256];
  private final int[] bucket = new int[256];
  private byte[] text;
  private int n;
  private long budget;

  /** Thrown inside the sort when the bound is reached; never escapes this class. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  /**
   * Sorts the suffixes of {@code bytes[0..n)} (readable to {@code n + PADDING}, n below
   * 2^20) into {@code sa}. Returns false, with {@code sa} undefined, when the text has repeats
   * too long for direct comparison.
   */
  boolean sort(byte[] bytes, int n, int[] sa) {
    if (n > POSITION_MASK + 1) {
      throw new IllegalArgumentException("block too long: " + n);
    }
    this.text = bytes;
    this.n = n;
    if (lms.length < n / 2 + 1) {
      lms = new int[n / 2 + 1];
      keys = new long[n / 2 + 1];
    }
    int m = scanLms(bytes, n, sa);
    // counting sort by the first two bytes
    for (int b = 0, sum = 0; b <= 65_536; b++) {
      int c = pairStart[b];
      pairStart[b] = sum;
      sum += c;
    }
    for (int k = m - 1; k >= 0; k--) {
      int p = sa[k];
      lms[pairStart[((bytes[p] & 0xff) << 8) | (bytes[p + 1] & 0xff)]++] = p;
    }
    budget = (long) BUDGET_PER_BYTE * n;
    try {
      for (int b = 0, start = 0; b < 65_536; b++) {
        int end = pairStart[b];
        if (end - start > 1) {
          for (int t = start; t < end; t++) {
            keys[t] = key(lms[t], 2);
          }
          sortKeys(start, end, 2);
          for (int t = start; t < end; t++) {
            lms[t] = (int) keys[t] & POSITION_MASK;
          }
        }
        start = end;
      }
    } catch (GiveUp e) {
      return false;
    }
    // the sorted LMS suffixes into the ends of their buckets, then induce everything else
    Arrays.fill(sa, 0, n, -1);
    SuffixArrays.bucketEnds(counts, bucket);
    for (int k = m - 1; k >= 0; k--) {
      int p = lms[k];
      sa[--bucket[bytes[p] & 0xff]] = p;
    }
    induce(bytes, n, counts, bucket, sa);
    return true;
  }

  /**
   * Finds the LMS positions, right to left, into {@code sa[0..m)} and returns m; counts each
   * byte and each LMS suffix's first two bytes on the way.
   */
  private int scanLms(byte[] bytes, int n, int[] sa) {
    Arrays.fill(counts, 0);
    Arrays.fill(pairStart, 0);
    // LMS positions, right to left: i+1 is LMS when i is L-type and i+1 is S-type. Branch
    // free, as the types of real data are a coin toss: i is S-type iff
    // text[i] < text[i+1] + (i+1 is S-type)
    int m = 0;
    int nextIsS = 0; // n-1 is L-type: the sentinel after it is smaller
    int next = bytes[n - 1] & 0xff;
    counts[next]++;
    for (int i = n - 2; i >= 0; i--) {
      int c = bytes[i] & 0xff;
      counts[c]++;
      int isS = (c - next - nextIsS) >>> 31;
      int lms = nextIsS & (isS ^ 1);
      sa[m] = i + 1;
      pairStart[(next << 8) | (bytes[i + 2] & 0xff)] += lms; // LMS are S-type: i + 2 <= n - 1
      m += lms;
      nextIsS = isS;
      next = c;
    }
    return m;
  }

  /**
   * Sorts the suffixes of {@code bytes[0..n)} (readable to {@code n + PADDING}) by SA-IS, its
   * first level on the bytes themselves: LMS substrings sorted by induction, named, the
   * reduced text sorted by {@link SuffixArrays}, then everything induced. Linear on any text —
   * what long repeats need once direct comparison has given up.
   */
  void sortByInduction(byte[] bytes, int n, int[] sa) {
    if (lms.length < n / 2 + 1) {
      lms = new int[n / 2 + 1];
      keys = new long[n / 2 + 1];
    }
    int m = scanLms(bytes, n, sa);
    int[] textOrder = lms;
    if (lmsBits.length < (n >> 6) + 1) {
      lmsBits = new long[(n >> 6) + 1];
    }
    long[] isLms = lmsBits;
    Arrays.fill(isLms, 0, (n >> 6) + 1, 0);
    for (int k = 0; k < m; k++) {
      int p = sa[m - 1 - k]; // the scan went right to left
      textOrder[k] = p;
      isLms[p >> 6] |= 1L << p;
    }
    // 1. LMS positions into their bucket ends, induce: LMS substrings come out sorted
    Arrays.fill(sa, 0, n, -1);
    SuffixArrays.bucketEnds(counts, bucket);
    for (int k = 0; k < m; k++) {
      int p = textOrder[k];
      sa[--bucket[bytes[p] & 0xff]] = p;
    }
    induce(bytes, n, counts, bucket, sa);
    // 2. sorted LMS positions to the front; each substring's length (to the next LMS position,
    //    inclusive; the last one runs into the sentinel) at m + p/2 — LMS positions are two
    //    or more apart
    int sorted = 0;
    for (int i = 0; i < n; i++) {
      int p = sa[i];
      if ((lmsBits[p >> 6] & (1L << p)) != 0) {
        sa[sorted++] = p;
      }
    }
    Arrays.fill(sa, m, n, -1);
    for (int k = 0; k < m; k++) {
      int p = textOrder[k];
      sa[m + (p >> 1)] = k + 1 < m ? textOrder[k + 1] - p + 1 : n - p + 1;
    }
    int names = 0;
    int previous = -1;
    int previousLength = 0;
    for (int i = 0; i < m; i++) {
      int p = sa[i];
      int length = sa[m + (p >> 1)];
      boolean same = previous >= 0 && length == previousLength && p + length <= n
          && previous + length <= n
          && Arrays.mismatch(bytes, p, p + length, bytes, previous, previous + length) < 0;
      if (!same) {
        names++;
      }
      previous = p;
      previousLength = length;
      sa[m + (p >> 1)] = names - 1;
    }
    if (reduced.length < m) {
      reduced = new int[m];
      reducedSa = new int[m];
    }
    for (int i = n - 1, j = m - 1; i >= m; i--) {
      if (sa[i] >= 0) {
        reduced[j--] = sa[i];
      }
    }
    if (names < m) {
      SuffixArrays.sort(reduced, m, names, reducedSa);
    } else {
      for (int i = 0; i < m; i++) {
        reducedSa[reduced[i]] = i;
      }
    }
    // 3. the LMS suffixes in order into their bucket ends, then the final induction
    Arrays.fill(sa, 0, n, -1);
    SuffixArrays.bucketEnds(counts, bucket);
    for (int i = m - 1; i >= 0; i--) {
      int p = textOrder[reducedSa[i]];
      sa[--bucket[bytes[p] & 0xff]] = p;
    }
    induce(bytes, n, counts, bucket, sa);
  }

  /**
   * Sorts keys[lo..hi), all equal in their first {@code depth} bytes: the keys themselves
   * (a primitive sort of longs), then each run of equal text bytes again, five bytes deeper.
   */
  private void sortKeys(int lo, int hi, int depth) {
    sortLongs(lo, hi, 56);
    for (int i = lo; i < hi; ) {
      long bytesAndCount = keys[i] >>> POSITION_BITS;
      int j = i + 1;
      while (j < hi && keys[j] >>> POSITION_BITS == bytesAndCount) {
        j++;
      }
      if (j - i > 1) { // only whole windows tie: two suffixes cannot end at the same place
        int deeper = depth + KEY_BYTES;
        if (j - i <= SMALL_GROUP) {
          insertionSort(i, j, deeper);
        } else if (deeper >= DEEP) {
          mergeSort(i, j, deeper);
        } else {
          budget -= (long) (j - i) * KEY_BYTES;
          if (budget < 0) {
            throw new GiveUp();
          }
          for (int t = i; t < j; t++) {
            keys[t] = key((int) keys[t] & POSITION_MASK, deeper);
          }
          sortKeys(i, j, deeper);
        }
      }
      i = j;
    }
  }

  /**
   * Sorts keys[lo..hi) as longs: by insertion when tiny (most groups are: the library sort's
   * set-up would dominate), by the library sort when small, else by radix from the byte at
   * {@code shift} down.
   */
  private void sortLongs(int lo, int hi, int shift) {
    int size = hi - lo;
    if (size < 24) {
      for (int i = lo + 1; i < hi; i++) {
        long k = keys[i];
        int j = i;
        while (j > lo && k < keys[j - 1]) {
          keys[j] = keys[j - 1];
          j--;
        }
        keys[j] = k;
      }
    } else if (size < RADIX_MIN || shift < RADIX_LAST_SHIFT) {
      Arrays.sort(keys, lo, hi);
    } else {
      radixSort(lo, hi, shift);
    }
  }

  /**
   * Sorts keys[lo..hi) as longs, most significant byte first: one counting pass per byte
   * while the range is large, where a comparison sort would spend a dozen passes.
   */
  private void radixSort(int lo, int hi, int shift) {
    int[] count = radixCounts;
    Arrays.fill(count, 0);
    for (int i = lo; i < hi; i++) {
      count[digit(keys[i], shift)]++;
    }
    int[] start = radixStarts;
    for (int b = 0, sum = lo; b < 256; b++) {
      start[b] = sum;
      sum += count[b];
    }
    if (count[digit(keys[lo], shift)] == hi - lo) { // one byte value: next byte
      sortLongs(lo, hi, shift - 8);
      return;
    }
    if (radixScratch.length < hi) {
      radixScratch = new long[Math.max(hi, keys.length)];
    }
    long[] sorted = radixScratch;
    for (int i = lo; i < hi; i++) {
      long k = keys[i];
      sorted[start[digit(k, shift)]++] = k;
    }
    System.arraycopy(sorted, lo, keys, lo, hi - lo);
    // bucket b now ends at start[b]; the recursion reuses start, so keep the ends per level
    int[] ends = radixEnds[(56 - shift) >> 3];
    System.arraycopy(start, 0, ends, 0, 256);
    for (int b = 0, from = lo; b < 256; b++) {
      int to = ends[b];
      sortLongs(from, to, shift - 8);
      from = to;
    }
  }

  /** A key's byte at {@code shift}, in the order keys sort as signed longs. */
  private static int digit(long key, int shift) {
    return (int) ((key ^ Long.MIN_VALUE) >>> shift) & 0xff;
  }

  /**
   * Sorts suffixes equal in their first {@code depth} bytes — a long shared prefix, typically
   * a repeated stretch of the disk — by comparing the rest with {@link #compare}: each
   * comparison costs its common prefix at vector speed rather than a sort pass per five bytes.
   */
  private void mergeSort(int lo, int hi, int depth) {
    if (scratch.length < hi - lo) {
      scratch = new long[Math.max(hi - lo, keys.length / 4)];
    }
    for (int width = 1; width < hi - lo; width *= 2) {
      for (int left = lo; left < hi - width; left += 2 * width) {
        int mid = left + width;
        int right = Math.min(mid + width, hi);
        if (compare(pos(keys[mid - 1]), pos(keys[mid]), depth) < 0) {
          continue; // already in order
        }
        System.arraycopy(keys, left, scratch, 0, mid - left);
        int a = 0;
        int aEnd = mid - left;
        int b = mid;
        int out = left;
        while (a < aEnd && b < right) {
          keys[out++] = compare(pos(keys[b]), pos(scratch[a]), depth) < 0 ? keys[b++]
              : scratch[a++];
        }
        while (a < aEnd) {
          keys[out++] = scratch[a++];
        }
      }
    }
  }

  private static int pos(long key) {
    return (int) key & POSITION_MASK;
  }

  /** Sorts a few suffixes equal in their first {@code depth} bytes by comparing the rest. */
  private void insertionSort(int lo, int hi, int depth) {
    for (int i = lo + 1; i < hi; i++) {
      long k = keys[i];
      int p = (int) k & POSITION_MASK;
      int j = i;
      while (j > lo && compare(p, (int) keys[j - 1] & POSITION_MASK, depth) < 0) {
        keys[j] = keys[j - 1];
        j--;
      }
      keys[j] = k;
    }
  }

  /**
   * Compares suffixes a and b, equal in their first {@code depth} bytes, with
   * {@link Arrays#mismatch} (vectorized by the JIT), charging the bytes compared to the budget.
   */
  private int compare(int a, int b, int depth) {
    int shorter = Math.min(n - a, n - b);
    int mismatch = Arrays.mismatch(text, a + depth, a + shorter, text, b + depth, b + shorter);
    budget -= mismatch < 0 ? shorter - depth : mismatch;
    if (budget < 0) {
      throw new GiveUp();
    }
    if (mismatch < 0) {
      return a > b ? -1 : 1; // one is a prefix of the other: the shorter (later) one first
    }
    return (text[a + depth + mismatch] & 0xff) - (text[b + depth + mismatch] & 0xff);
  }

  /**
   * The sort key of suffix {@code p} at {@code depth}: five text bytes, how many of them lie
   * inside the text (a suffix that ends sorts before every longer one with the same bytes),
   * and p itself in the low 20 bits — so keys sort as plain longs (sign bit flipped) and
   * carry their suffix along.
   */
  private long key(int p, int depth) {
    int at = p + depth;
    long word = (long) LONG_BIG_ENDIAN.get(text, at) >>> 24; // the first five bytes
    int inside = n - at;
    long count = KEY_BYTES;
    if (inside < KEY_BYTES) {
      word = inside <= 0 ? 0 : word & (-1L << (8 * (KEY_BYTES - inside)));
      count = Math.max(inside, 0);
    }
    return ((word << 24) | (count << POSITION_BITS) | p) ^ Long.MIN_VALUE;
  }

  /** {@link SuffixArrays#induce} on a byte text: the same scans, a quarter of the memory. */
  private static void induce(byte[] text, int n, int[] counts, int[] bucket, int[] sa) {
    SuffixArrays.bucketStarts(counts, bucket);
    int last = text[n - 1] & 0xff; // the sentinel, smallest of all, induces n - 1 first
    sa[bucket[last]++] = n > 1 && (text[n - 2] & 0xff) < last ? ~(n - 1) : n - 1;
    for (int i = 0; i < n; i++) {
      int j = sa[i] - 1;
      if (j >= 0) {
        int c = text[j] & 0xff;
        int before = j > 0 ? text[j - 1] & 0xff : c;
        sa[bucket[c]++] = j ^ ((before - c) >> 31); // ~j when text[j-1] < text[j]
      }
    }
    SuffixArrays.bucketEnds(counts, bucket);
    for (int i = n - 1; i >= 0; i--) {
      int e = sa[i];
      if (e < -1) {
        int j = ~e - 1;
        sa[i] = ~e;
        int c = text[j] & 0xff;
        int before = j > 0 ? text[j - 1] & 0xff : c + 1;
        sa[--bucket[c]] = j ^ ((before - c - 1) >> 31); // ~j when text[j-1] <= text[j]
      }
    }
  }
}
