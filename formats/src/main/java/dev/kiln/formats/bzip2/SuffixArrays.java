package dev.kiln.formats.bzip2;

/**
 * Suffix arrays by induced sorting (SA-IS; Nong, Zhang and Chan, "Two Efficient Algorithms for
 * Linear Time Suffix Array Construction", 2011): linear time on any input, so repetitive
 * blocks — a disk's fill patterns, a log repeated a million times — cost no more than random
 * ones, where comparison sorts (bzip2's own) degrade and need a fallback.
 *
 * <p>The text ends with an implicit sentinel smaller than every symbol: a suffix that is a
 * prefix of another sorts first.
 */
final class SuffixArrays {
  private static final byte L_TYPE = 0;
  private static final byte S_TYPE = 1;

  private SuffixArrays() {}

  /**
   * Sorts the suffixes of {@code text[0..n)}, symbols in {@code [0, alphabet)}, into
   * {@code sa[0..n)}. {@code sa} must hold at least {@code n} entries.
   */
  static void sort(int[] text, int n, int alphabet, int[] sa) {
    if (n == 0) {
      return;
    }
    if (n == 1) {
      sa[0] = 0;
      return;
    }
    byte[] type = new byte[n];
    type[n - 1] = L_TYPE; // the sentinel after it is smaller
    for (int i = n - 2; i >= 0; i--) {
      int a = text[i];
      int b = text[i + 1];
      type[i] = a < b || (a == b && type[i + 1] == S_TYPE) ? S_TYPE : L_TYPE;
    }
    int[] counts = new int[alphabet];
    for (int i = 0; i < n; i++) {
      counts[text[i]]++;
    }
    int[] bucket = new int[alphabet];

    // 1. LMS positions into the ends of their buckets, in text order, then induce: this sorts
    //    the LMS substrings.
    java.util.Arrays.fill(sa, 0, n, -1);
    bucketEnds(counts, bucket);
    for (int i = n - 1; i >= 1; i--) {
      if (type[i] == S_TYPE && type[i - 1] == L_TYPE) {
        sa[--bucket[text[i]]] = i;
      }
    }
    induce(text, n, counts, bucket, sa);

    // 2. Gather the sorted LMS positions at the front, name the substrings, recurse if two
    //    share a name.
    int lmsCount = 0;
    for (int i = 0; i < n; i++) {
      int p = sa[i];
      if (p > 0 && type[p] == S_TYPE && type[p - 1] == L_TYPE) {
        sa[lmsCount++] = p;
      }
    }
    java.util.Arrays.fill(sa, lmsCount, n, -1);
    int name = 0;
    int previous = -1;
    for (int i = 0; i < lmsCount; i++) {
      int p = sa[i];
      if (previous < 0 || !sameLmsSubstring(text, n, type, previous, p)) {
        name++;
      }
      previous = p;
      sa[lmsCount + (p >> 1)] = name - 1; // LMS positions are at least 2 apart
    }
    int[] reduced = new int[lmsCount];
    for (int i = n - 1, j = lmsCount - 1; i >= lmsCount; i--) {
      if (sa[i] >= 0) {
        reduced[j--] = sa[i];
      }
    }
    int[] reducedSa = new int[lmsCount];
    if (name < lmsCount) {
      sort(reduced, lmsCount, name, reducedSa);
    } else {
      for (int i = 0; i < lmsCount; i++) {
        reducedSa[reduced[i]] = i;
      }
    }

    // 3. The LMS suffixes in sorted order into their bucket ends, then the final induction.
    int[] lmsPositions = reduced; // reused: position of the i-th LMS suffix in text order
    for (int i = 1, j = 0; i < n; i++) {
      if (type[i] == S_TYPE && type[i - 1] == L_TYPE) {
        lmsPositions[j++] = i;
      }
    }
    java.util.Arrays.fill(sa, 0, n, -1);
    bucketEnds(counts, bucket);
    for (int i = lmsCount - 1; i >= 0; i--) {
      int p = lmsPositions[reducedSa[i]];
      sa[--bucket[text[p]]] = p;
    }
    induce(text, n, counts, bucket, sa);
  }

  /**
   * Induces the order of all suffixes from the sorted seeds at the ends of their buckets.
   * No type lookups: an entry's sign says whether its predecessor is still to be induced by
   * the S-scan (negative, {@code ~position}) or was handled by the L-scan (non-negative) —
   * when suffix j is placed, comparing {@code text[j-1]} with {@code text[j]} decides the
   * predecessor's type (for L-type j: L iff ≥; for S-type j: S iff ≤). The bucket pointer of
   * the last symbol is kept in a local, since consecutive entries mostly share a bucket.
   */
  static void induce(int[] text, int n, int[] counts, int[] bucket, int[] sa) {
    bucketStarts(counts, bucket);
    int last = text[n - 1]; // the sentinel, smallest of all, induces n - 1 first
    sa[bucket[last]++] = n > 1 && text[n - 2] < last ? ~(n - 1) : n - 1;
    for (int i = 0; i < n; i++) {
      int j = sa[i] - 1;
      if (j >= 0) {
        int c = text[j];
        int before = j > 0 ? text[j - 1] : c;
        sa[bucket[c]++] = j ^ ((before - c) >> 31); // ~j when text[j-1] < text[j]
      }
    }
    bucketEnds(counts, bucket);
    for (int i = n - 1; i >= 0; i--) {
      int e = sa[i];
      if (e < -1) {
        int j = ~e - 1;
        sa[i] = ~e;
        int c = text[j];
        int before = j > 0 ? text[j - 1] : c + 1;
        sa[--bucket[c]] = j ^ ((before - c - 1) >> 31); // ~j when text[j-1] <= text[j]
      }
    }
  }

  private static boolean sameLmsSubstring(int[] text, int n, byte[] type, int a, int b) {
    for (int d = 0; ; d++) {
      if (a + d == n || b + d == n) {
        return false; // only the sentinel's substring reaches the end, and it is unique
      }
      if (text[a + d] != text[b + d] || type[a + d] != type[b + d]) {
        return false;
      }
      if (d > 0 && isLms(type, a + d) && isLms(type, b + d)) {
        return true;
      }
    }
  }

  private static boolean isLms(byte[] type, int i) {
    return type[i] == S_TYPE && type[i - 1] == L_TYPE;
  }

  static void bucketStarts(int[] counts, int[] bucket) {
    for (int c = 0, sum = 0; c < counts.length; c++) {
      bucket[c] = sum;
      sum += counts[c];
    }
  }

  static void bucketEnds(int[] counts, int[] bucket) {
    for (int c = 0, sum = 0; c < counts.length; c++) {
      sum += counts[c];
      bucket[c] = sum;
    }
  }
}
