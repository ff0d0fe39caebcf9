package dev.kiln.formats.bzip2;

import static dev.kiln.formats.bzip2.Bzip2Constants.BLOCK_FILL_LIMIT;
import static dev.kiln.formats.bzip2.Bzip2Constants.BLOCK_MAGIC;
import static dev.kiln.formats.bzip2.Bzip2Constants.GREATER_ICOST;
import static dev.kiln.formats.bzip2.Bzip2Constants.G_SIZE;
import static dev.kiln.formats.bzip2.Bzip2Constants.LESSER_ICOST;
import static dev.kiln.formats.bzip2.Bzip2Constants.MAX_ALPHA_SIZE;
import static dev.kiln.formats.bzip2.Bzip2Constants.MAX_BLOCK;
import static dev.kiln.formats.bzip2.Bzip2Constants.MAX_CODE_LENGTH;
import static dev.kiln.formats.bzip2.Bzip2Constants.N_GROUPS;
import static dev.kiln.formats.bzip2.Bzip2Constants.N_ITERS;
import static dev.kiln.formats.bzip2.Bzip2Constants.RUNA;
import static dev.kiln.formats.bzip2.Bzip2Constants.RUNB;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Encodes one bzip2 block: run-length stage 1, Burrows–Wheeler, move-to-front with zero-run
 * coding, and up to six Huffman tables chosen per 50 symbols — the stages and table heuristics
 * of bzip2's compress.c, so the output is the size bzip2 -9 makes. Holds its scratch arrays
 * between blocks; not thread-safe.
 */
final class BlockEncoder {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private final byte[] block = new byte[MAX_BLOCK + LmsStringSort.PADDING]; // sorts read past n
  private final byte[] lastColumn = new byte[MAX_BLOCK];
  private final char[] mtf = new char[MAX_BLOCK + 1];
  private final int[] mtfFreq = new int[MAX_ALPHA_SIZE];
  private final byte[][] lengths = new byte[N_GROUPS][MAX_ALPHA_SIZE];
  private final int[][] codes = new int[N_GROUPS][MAX_ALPHA_SIZE];
  private final int[][] groupFreq = new int[N_GROUPS][MAX_ALPHA_SIZE];
  private final byte[] selectors = new byte[MAX_BLOCK / G_SIZE + 2];
  private final long[] costLow = new long[MAX_ALPHA_SIZE];
  private final long[] costHigh = new long[MAX_ALPHA_SIZE];
  private final BurrowsWheeler bwt = new BurrowsWheeler();
  private final HuffmanLengths huffman = new HuffmanLengths();

  private int blockLength;
  private int blockCrc;

  /** The CRC of the input the last {@link #encode} consumed. */
  int blockCrc() {
    return blockCrc;
  }

  /**
   * Encodes a block from {@code data[from..to)} into {@code out}; returns how many input bytes
   * it took (at most as many as fit one block).
   */
  int encode(byte[] data, int from, int to, BitWriter out) {
    int consumed = runLengthEncode(data, from, to);
    int origPtr = bwt.transform(block, blockLength, lastColumn);
    boolean[] inUse = new boolean[256];
    for (int i = 0; i < blockLength; i++) {
      inUse[block[i] & 0xff] = true;
    }
    int[] seqOf = new int[256];
    int used = 0;
    for (int b = 0; b < 256; b++) {
      if (inUse[b]) {
        seqOf[b] = used++;
      }
    }
    int alphaSize = used + 2;
    int symbols = moveToFront(seqOf, used);

    out.writeLong(48, BLOCK_MAGIC);
    out.write(32, ~blockCrc);
    out.write(1, 0); // not randomised
    out.write(24, origPtr);
    writeMapping(inUse, out);
    writeTablesAndData(symbols, alphaSize, out);
    return consumed - from;
  }

  /** bzip2's first stage: runs of 4–255 equal bytes become 4 bytes and a count. */
  private int runLengthEncode(byte[] data, int from, int to) {
    int n = 0;
    int i = from;
    byte[] b = block;
    while (i < to && n < BLOCK_FILL_LIMIT) {
      if (i + 9 <= to && n + 8 <= BLOCK_FILL_LIMIT) {
        // eight bytes, none equal to the next: eight runs of one, copied at once
        long word = (long) LONGS.get(data, i);
        long neighbours = word ^ (long) LONGS.get(data, i + 1);
        if (((neighbours - ONES) & ~neighbours & HIGHS) == 0) {
          LONGS.set(b, n, word);
          n += 8;
          i += 8;
          continue;
        }
      }
      byte value = data[i];
      if (i + 1 < to && data[i + 1] != value) {
        b[n++] = value; // a run of one; longer runs enter the block whole, as in bzip2
        i++;
        continue;
      }
      int max = Math.min(to - i, 255);
      int run = 1;
      while (run < max && data[i + run] == value) {
        run++;
      }
      i += run;
      if (run < 4) {
        for (int k = 0; k < run; k++) {
          b[n++] = value;
        }
      } else {
        b[n] = value;
        b[n + 1] = value;
        b[n + 2] = value;
        b[n + 3] = value;
        b[n + 4] = (byte) (run - 4);
        n += 5;
      }
    }
    blockLength = n;
    blockCrc = Bzip2Crc.update(0xffffffff, data, from, i);
    return i;
  }

  /** Move-to-front of the last column, zero runs written in bijective base 2 (RUNA/RUNB). */
  private int moveToFront(int[] seqOf, int used) {
    java.util.Arrays.fill(mtfFreq, 0);
    MoveToFront order = new MoveToFront();
    char[] out = mtf;
    int[] freq = mtfFreq;
    int w = 0;
    int zeros = 0;
    int front = 0;
    for (int i = 0; i < blockLength; i++) {
      int symbol = seqOf[lastColumn[i] & 0xff];
      if (symbol == front) {
        zeros++;
        continue;
      }
      if (zeros > 0) {
        w = writeZeroRun(zeros, out, w, freq);
        zeros = 0;
      }
      int j = order.moveToFront(symbol);
      front = symbol;
      out[w++] = (char) (j + 1);
      freq[j + 1]++;
    }
    if (zeros > 0) {
      w = writeZeroRun(zeros, out, w, freq);
    }
    int endOfBlock = used + 1;
    out[w++] = (char) endOfBlock;
    freq[endOfBlock]++;
    return w;
  }

  private static int writeZeroRun(int zeros, char[] out, int w, int[] freq) {
    zeros--;
    while (true) {
      int symbol = (zeros & 1) != 0 ? RUNB : RUNA;
      out[w++] = (char) symbol;
      freq[symbol]++;
      if (zeros < 2) {
        return w;
      }
      zeros = (zeros - 2) >> 1;
    }
  }

  private static void writeMapping(boolean[] inUse, BitWriter out) {
    int ranges = 0;
    for (int i = 0; i < 16; i++) {
      for (int j = 0; j < 16; j++) {
        if (inUse[i * 16 + j]) {
          ranges |= 1 << (15 - i);
          break;
        }
      }
    }
    out.write(16, ranges);
    for (int i = 0; i < 16; i++) {
      if ((ranges & (1 << (15 - i))) != 0) {
        int bits = 0;
        for (int j = 0; j < 16; j++) {
          if (inUse[i * 16 + j]) {
            bits |= 1 << (15 - j);
          }
        }
        out.write(16, bits);
      }
    }
  }

  private void writeTablesAndData(int symbols, int alphaSize, BitWriter out) {
    int groups = symbols < 200 ? 2 : symbols < 600 ? 3 : symbols < 1200 ? 4
        : symbols < 2400 ? 5 : 6;
    initialLengths(groups, symbols, alphaSize);
    int selectorCount = 0;
    for (int iteration = 0; iteration < N_ITERS; iteration++) {
      selectorCount = chooseTables(groups, symbols, alphaSize);
      for (int t = 0; t < groups; t++) {
        huffman.make(lengths[t], groupFreq[t], alphaSize, MAX_CODE_LENGTH);
      }
    }
    for (int t = 0; t < groups; t++) {
      assignCodes(lengths[t], codes[t], alphaSize);
    }

    out.write(3, groups);
    out.write(15, selectorCount);
    MoveToFront order = new MoveToFront(); // selectors are move-to-front coded too
    for (int s = 0; s < selectorCount; s++) {
      int j = order.moveToFront(selectors[s]);
      for (int k = 0; k < j; k++) {
        out.write(1, 1);
      }
      out.write(1, 0);
    }
    for (int t = 0; t < groups; t++) {
      byte[] len = lengths[t];
      int current = len[0];
      out.write(5, current);
      for (int i = 0; i < alphaSize; i++) {
        while (current < len[i]) {
          out.write(2, 2);
          current++;
        }
        while (current > len[i]) {
          out.write(2, 3);
          current--;
        }
        out.write(1, 0);
      }
    }
    char[] values = mtf;
    for (int s = 0, start = 0; start < symbols; s++, start += G_SIZE) {
      int end = Math.min(start + G_SIZE, symbols);
      int table = selectors[s];
      byte[] len = lengths[table];
      int[] code = codes[table];
      for (int i = start; i < end; i++) {
        int v = values[i];
        out.write(len[v], code[v]);
      }
    }
  }

  /** Splits the symbol range into {@code groups} bands of about equal frequency (compress.c). */
  private void initialLengths(int groups, int symbols, int alphaSize) {
    int parts = groups;
    int remaining = symbols;
    int start = 0;
    while (parts > 0) {
      int target = remaining / parts;
      int end = start - 1;
      int sum = 0;
      while (sum < target && end < alphaSize - 1) {
        end++;
        sum += mtfFreq[end];
      }
      if (end > start && parts != groups && parts != 1 && ((groups - parts) % 2 == 1)) {
        sum -= mtfFreq[end];
        end--;
      }
      byte[] len = lengths[parts - 1];
      for (int v = 0; v < alphaSize; v++) {
        len[v] = (byte) (v >= start && v <= end ? LESSER_ICOST : GREATER_ICOST);
      }
      parts--;
      start = end + 1;
      remaining -= sum;
    }
  }

  /**
   * Picks the cheapest table for each run of 50 symbols and counts each table's symbols.
   * Costs of all tables are summed at once: 16-bit lanes of two longs per symbol.
   */
  private int chooseTables(int groups, int symbols, int alphaSize) {
    for (int v = 0; v < alphaSize; v++) {
      long low = 0;
      long high = 0;
      for (int t = 0; t < groups; t++) {
        long l = lengths[t][v];
        if (t < 4) {
          low |= l << (16 * t);
        } else {
          high |= l << (16 * (t - 4));
        }
      }
      costLow[v] = low;
      costHigh[v] = high;
    }
    for (int t = 0; t < groups; t++) {
      java.util.Arrays.fill(groupFreq[t], 0, alphaSize, 0);
    }
    char[] values = mtf;
    int count = 0;
    for (int start = 0; start < symbols; start += G_SIZE) {
      int end = Math.min(start + G_SIZE, symbols);
      long low = 0;
      long high = 0;
      for (int i = start; i < end; i++) {
        int v = values[i];
        low += costLow[v];
        high += costHigh[v];
      }
      int best = 0;
      int bestCost = (int) (low & 0xffff);
      for (int t = 1; t < groups; t++) {
        int cost = (int) ((t < 4 ? low >>> (16 * t) : high >>> (16 * (t - 4))) & 0xffff);
        if (cost < bestCost) {
          bestCost = cost;
          best = t;
        }
      }
      selectors[count++] = (byte) best;
      int[] freq = groupFreq[best];
      for (int i = start; i < end; i++) {
        freq[values[i]]++;
      }
    }
    return count;
  }

  private static void assignCodes(byte[] len, int[] code, int alphaSize) {
    int min = 32;
    int max = 0;
    for (int i = 0; i < alphaSize; i++) {
      min = Math.min(min, len[i]);
      max = Math.max(max, len[i]);
    }
    int next = 0;
    for (int n = min; n <= max; n++) {
      for (int i = 0; i < alphaSize; i++) {
        if (len[i] == n) {
          code[i] = next++;
        }
      }
      next <<= 1;
    }
  }
}
