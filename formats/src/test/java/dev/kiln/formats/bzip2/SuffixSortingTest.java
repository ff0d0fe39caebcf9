package dev.kiln.formats.bzip2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The suffix sorters and the rotation sort against the definitions, computed naively, on texts
 * chosen to be hard: tiny alphabets (long repeats), periodic blocks, runs, random bytes.
 */
class SuffixSortingTest {
  @Test
  void saIsMatchesNaiveSuffixOrder() {
    Random random = new Random(1);
    for (int round = 0; round < 400; round++) {
      int n = 1 + random.nextInt(300);
      int alphabet = round % 4 == 0 ? 256 : 1 + random.nextInt(4);
      int[] text = new int[n];
      for (int i = 0; i < n; i++) {
        text[i] = random.nextInt(alphabet);
      }
      int[] sa = new int[n];
      SuffixArrays.sort(text, n, 256, sa);
      assertThat(sa).as("round %d", round).isEqualTo(naiveSuffixArray(text));
    }
  }

  @Test
  void directLmsSortMatchesNaiveSuffixOrderOrGivesUp() {
    Random random = new Random(2);
    LmsStringSort sorter = new LmsStringSort();
    int sorted = 0;
    for (int round = 0; round < 400; round++) {
      int n = 2 + random.nextInt(2000);
      int alphabet = round % 3 == 0 ? 256 : 1 + random.nextInt(3);
      byte[] bytes = new byte[n + LmsStringSort.PADDING];
      int[] ints = new int[n];
      for (int i = 0; i < n; i++) {
        ints[i] = random.nextInt(alphabet) * (256 / alphabet); // spread: high bytes too
        bytes[i] = (byte) ints[i];
      }
      if (round % 5 == 0) { // a long repeat in the middle
        int len = n / 3;
        System.arraycopy(bytes, 0, bytes, n - len, len);
        for (int i = 0; i < n; i++) {
          ints[i] = bytes[i] & 0xff;
        }
      }
      Arrays.fill(bytes, n, bytes.length, (byte) 0x7f); // bytes past the end must not count
      int[] sa = new int[n];
      if (sorter.sort(bytes, n, sa)) {
        sorted++;
        assertThat(sa).as("round %d", round).isEqualTo(naiveSuffixArray(ints));
      }
    }
    assertThat(sorted).as("texts sorted without falling back").isGreaterThan(300);
  }

  @Test
  void saIsOnBytesMatchesNaiveSuffixOrder() {
    Random random = new Random(6);
    LmsStringSort sorter = new LmsStringSort();
    for (int round = 0; round < 400; round++) {
      int n = 2 + random.nextInt(2000);
      int alphabet = round % 3 == 0 ? 256 : 1 + random.nextInt(3);
      byte[] bytes = new byte[n + LmsStringSort.PADDING];
      for (int i = 0; i < n; i++) {
        bytes[i] = (byte) (random.nextInt(alphabet) * (256 / alphabet));
      }
      if (round % 4 == 0) { // long repeats, as in the blocks that reach this sort
        int len = n / 3;
        System.arraycopy(bytes, 0, bytes, n - len, len);
      }
      Arrays.fill(bytes, n, bytes.length, (byte) 0x7f); // bytes past the end must not count
      int[] ints = new int[n];
      for (int i = 0; i < n; i++) {
        ints[i] = bytes[i] & 0xff;
      }
      int[] sa = new int[n];
      sorter.sortByInduction(bytes, n, sa);
      assertThat(sa).as("round %d", round).isEqualTo(naiveSuffixArray(ints));
    }
  }

  @Test
  void transformMatchesNaiveRotationSort() {
    Random random = new Random(3);
    BurrowsWheeler bwt = new BurrowsWheeler();
    for (int round = 0; round < 700; round++) {
      byte[] block = switch (round % 7) {
        case 5 -> endingInARepeat(random, 64 + random.nextInt(3000), 1 + random.nextInt(600));
        case 6 -> endingInARepeat(random, 9000, RotationOrder.MAX_TAIL + 1 + random.nextInt(99));
        case 0 -> periodic(random, 1 + random.nextInt(7), 1 + random.nextInt(60));
        case 1 -> randomBytes(random, 1 + random.nextInt(400), 2);
        case 2 -> randomBytes(random, 64 + random.nextInt(3000), 256);
        case 3 -> nearlyPeriodic(random, 1 + random.nextInt(90), 2 + random.nextInt(40));
        default -> randomBytes(random, 64 + random.nextInt(3000), 3);
      };
      int n = block.length;
      byte[] last = new byte[n];
      int origPtr = bwt.transform(block, n, last);
      Integer[] rows = naiveRotationOrder(block);
      byte[] expected = new byte[n];
      for (int r = 0; r < n; r++) {
        expected[r] = block[(rows[r] + n - 1) % n];
      }
      assertThat(last).as("round %d", round).isEqualTo(expected);
      // the row origPtr names must be the block itself (equal rotations are interchangeable)
      assertThat(compareRotations(block, rows[origPtr], 0)).as("round %d", round).isZero();
    }
  }

  @Test
  void repeatedPatternsCutMidRepeatAreSortedWithoutSuffixSorting() {
    Random random = new Random(4);
    BurrowsWheeler bwt = new BurrowsWheeler();
    int direct = 0;
    for (int round = 0; round < 600; round++) {
      int period = 1 + random.nextInt(round % 3 == 0 ? 8 : 120);
      byte[] unit = randomBytes(random, period, round % 2 == 0 ? 2 : 256);
      int n = 4 * period + random.nextInt(40 * period + 1);
      byte[] block = new byte[n];
      for (int i = 0; i < n; i++) {
        block[i] = unit[(i + round) % period]; // any phase
      }
      int p = NearlyPeriodicRotations.period(block, n);
      if (p > 0) {
        direct++;
        assertThat(n % p).isNotZero();
        assertThat(Arrays.mismatch(block, 0, n - p, block, p, n)).isNegative();
      }
      byte[] last = new byte[n];
      int origPtr = bwt.transform(block, n, last);
      Integer[] rows = naiveRotationOrder(block);
      for (int r = 0; r < n; r++) {
        assertThat(last[r]).as("round %d row %d", round, r)
            .isEqualTo(block[(rows[r] + n - 1) % n]);
      }
      assertThat(compareRotations(block, rows[origPtr], 0)).as("round %d", round).isZero();
    }
    assertThat(direct).as("blocks that took the direct path").isGreaterThan(300);
  }

  @Test
  void suffixOrderIsCorrectedIntoRotationOrder() {
    Random random = new Random(5);
    RotationOrder rotations = new RotationOrder();
    int corrected = 0;
    for (int round = 0; round < 300; round++) {
      byte[] block = round % 2 == 0
          ? endingInARepeat(random, 64 + random.nextInt(2000), 1 + random.nextInt(300))
          : randomBytes(random, 64 + random.nextInt(2000), 2 + random.nextInt(3));
      if (BurrowsWheeler.primitiveRoot(block, block.length) != block.length) {
        continue;
      }
      int[] ints = new int[block.length];
      for (int i = 0; i < block.length; i++) {
        ints[i] = block[i] & 0xff;
      }
      int n = block.length;
      int[] sa = naiveSuffixArray(ints);
      if (rotations.place(block, n, sa)) {
        corrected++;
        byte[] last = new byte[n];
        int origPtr = rotations.lastColumn(block, n, sa, last);
        Integer[] rows = naiveRotationOrder(block);
        byte[] expected = new byte[n];
        for (int r = 0; r < n; r++) {
          expected[r] = block[(rows[r] + n - 1) % n];
        }
        assertThat(last).as("round %d", round).isEqualTo(expected);
        assertThat(rows[origPtr]).as("round %d", round).isZero();
      }
    }
    assertThat(corrected).as("blocks corrected (the rest exceed the comparison budget)")
        .isGreaterThan(150);
    byte[] longTail = endingInARepeat(random, 20_000, RotationOrder.MAX_TAIL + 10);
    int[] ints = new int[longTail.length];
    for (int i = 0; i < ints.length; i++) {
      ints[i] = longTail[i] & 0xff;
    }
    assertThat(rotations.place(longTail, longTail.length, naiveSuffixArray(ints)))
        .as("a tail longer than it fixes").isFalse();
  }

  /** A block whose last {@code tail} bytes occur earlier too: its rotations there need fixing. */
  private static byte[] endingInARepeat(Random random, int n, int tail) {
    byte[] block = randomBytes(random, n, 1 + random.nextInt(4));
    int length = Math.min(tail, n / 2);
    System.arraycopy(block, random.nextInt(n - 2 * length + 1), block, n - length, length);
    return block;
  }

  private static byte[] periodic(Random random, int period, int repeats) {
    byte[] p = randomBytes(random, period, 3);
    byte[] block = new byte[period * repeats];
    for (int i = 0; i < block.length; i++) {
      block[i] = p[i % period];
    }
    return block;
  }

  private static byte[] nearlyPeriodic(Random random, int period, int repeats) {
    byte[] block = periodic(random, period, repeats);
    byte[] cut = Arrays.copyOf(block, block.length - random.nextInt(period));
    if (cut.length > 1 && random.nextBoolean()) {
      cut[random.nextInt(cut.length)] ^= 1;
    }
    return cut;
  }

  private static byte[] randomBytes(Random random, int n, int alphabet) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (random.nextInt(alphabet) * 37);
    }
    return b;
  }

  static int[] naiveSuffixArray(int[] text) {
    int n = text.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      for (int i = a, j = b; ; i++, j++) {
        if (i == n) {
          return -1; // the end is smaller than every symbol
        }
        if (j == n) {
          return 1;
        }
        if (text[i] != text[j]) {
          return Integer.compare(text[i], text[j]);
        }
      }
    });
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  private static Integer[] naiveRotationOrder(byte[] block) {
    Integer[] order = new Integer[block.length];
    for (int i = 0; i < block.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> compareRotations(block, a, b));
    return order;
  }

  private static int compareRotations(byte[] block, int a, int b) {
    int n = block.length;
    for (int k = 0; k < n; k++) {
      int x = block[(a + k) % n] & 0xff;
      int y = block[(b + k) % n] & 0xff;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }
}
