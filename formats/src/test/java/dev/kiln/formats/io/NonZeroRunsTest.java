package dev.kiln.formats.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The run finder against a byte-by-byte statement of its contract, on random buffers. */
class NonZeroRunsTest {
  @Test
  void runsCoverEveryNonZeroPieceAndJoinOnlyShortGaps() throws IOException {
    Random random = new Random(7);
    for (int round = 0; round < 2000; round++) {
      int piece = 1 << (2 + random.nextInt(4)); // 4..32
      int smallestGap = random.nextInt(4 * piece + 1);
      int length = random.nextInt(40 * piece + 1);
      int offset = random.nextInt(8); // the buffer's position is honoured
      byte[] bytes = new byte[offset + length];
      for (int at = 0; at < length; at += piece) {
        if (random.nextInt(3) == 0) { // one byte somewhere in the piece makes it data
          int n = Math.min(piece, length - at);
          bytes[offset + at + random.nextInt(n)] = (byte) (1 + random.nextInt(255));
        }
      }
      ByteBuffer data = ByteBuffer.wrap(bytes).position(offset);
      List<int[]> found = new ArrayList<>();
      NonZeroRuns.forEach(data, piece, smallestGap, (s, e) -> found.add(new int[] {s, e}));
      assertEquals(expected(bytes, offset, length, piece, smallestGap), toString(found),
          "piece " + piece + ", gap " + smallestGap + ", round " + round);
      assertEquals(offset, data.position(), "position unchanged");
    }
  }

  /** Non-zero pieces, then neighbours joined while the zero stretch between is short. */
  private static String expected(byte[] b, int offset, int length, int piece, int gap) {
    List<int[]> runs = new ArrayList<>();
    for (int at = 0; at < length; at += piece) {
      int end = Math.min(length, at + piece);
      boolean zero = true;
      for (int i = at; i < end; i++) {
        zero &= b[offset + i] == 0;
      }
      if (zero) {
        continue;
      }
      int[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && at - last[1] < gap) {
        last[1] = end;
      } else {
        runs.add(new int[] {at, end});
      }
    }
    return toString(runs);
  }

  private static String toString(List<int[]> runs) {
    StringBuilder s = new StringBuilder();
    runs.forEach(r -> s.append('[').append(r[0]).append(',').append(r[1]).append(')'));
    return s.toString();
  }
}
