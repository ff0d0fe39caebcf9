package dev.kiln.formats.bzip2;

/**
 * Code lengths for one of a block's Huffman tables, as bzip2 makes them (hbMakeCodeLengths):
 * a heap-built Huffman tree whose ties prefer the shallower subtree; if a code comes out
 * longer than allowed, the frequencies are halved and the tree rebuilt.
 */
final class HuffmanLengths {
  private final int[] heap = new int[Bzip2Constants.MAX_ALPHA_SIZE + 2];
  private final int[] weight = new int[Bzip2Constants.MAX_ALPHA_SIZE * 2];
  private final int[] parent = new int[Bzip2Constants.MAX_ALPHA_SIZE * 2];

  void make(byte[] lengths, int[] freq, int alphaSize, int maxLength) {
    for (int i = 0; i < alphaSize; i++) {
      weight[i + 1] = (freq[i] == 0 ? 1 : freq[i]) << 8;
    }
    while (true) {
      int nodes = alphaSize;
      int size = 0;
      heap[0] = 0;
      weight[0] = 0;
      parent[0] = -2;
      for (int i = 1; i <= alphaSize; i++) {
        parent[i] = -1;
        heap[++size] = i;
        up(size);
      }
      while (size > 1) {
        int n1 = heap[1];
        heap[1] = heap[size--];
        down(1, size);
        int n2 = heap[1];
        heap[1] = heap[size--];
        down(1, size);
        nodes++;
        parent[n1] = nodes;
        parent[n2] = nodes;
        weight[nodes] = ((weight[n1] & 0xffffff00) + (weight[n2] & 0xffffff00))
            | (1 + Math.max(weight[n1] & 0xff, weight[n2] & 0xff));
        parent[nodes] = -1;
        heap[++size] = nodes;
        up(size);
      }
      boolean tooLong = false;
      for (int i = 1; i <= alphaSize; i++) {
        int depth = 0;
        for (int k = i; parent[k] >= 0; k = parent[k]) {
          depth++;
        }
        lengths[i - 1] = (byte) depth;
        tooLong |= depth > maxLength;
      }
      if (!tooLong) {
        return;
      }
      for (int i = 1; i <= alphaSize; i++) {
        weight[i] = (1 + (weight[i] >> 8) / 2) << 8;
      }
    }
  }

  private void up(int z) {
    int node = heap[z];
    while (weight[node] < weight[heap[z >> 1]]) {
      heap[z] = heap[z >> 1];
      z >>= 1;
    }
    heap[z] = node;
  }

  private void down(int z, int size) {
    int node = heap[z];
    while (true) {
      int child = z << 1;
      if (child > size) {
        break;
      }
      if (child < size && weight[heap[child + 1]] < weight[heap[child]]) {
        child++;
      }
      if (weight[node] < weight[heap[child]]) {
        break;
      }
      heap[z] = heap[child];
      z = child;
    }
    heap[z] = node;
  }
}
