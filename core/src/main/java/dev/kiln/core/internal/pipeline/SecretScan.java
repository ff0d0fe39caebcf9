package dev.kiln.core.internal.pipeline;

import dev.kiln.formats.DiskWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks, in the same read of the exported disk as the key scan, for the build's secrets in the
 * guest's data: the recipe's passwords and the build key. A finding names the secret by what
 * it is ("the recipe's root password") and its disk offset — never its value, which this class
 * keeps only as bytes and never prints. Secrets shorter than {@link #MIN_LENGTH} bytes are not
 * searched (they occur by chance in any disk); the build says so.
 */
final class SecretScan implements DiskWriter {
  static final int MIN_LENGTH = 6;
  static final int MAX_FINDINGS = 10;

  /** One secret found: which one, and where in the guest disk. */
  record Finding(String what, long offset) {}

  private final Map<String, byte[]> needles = new LinkedHashMap<>();
  private final List<String> tooShort = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  private final int overlap;
  private final byte[] tail;
  private int tailLength;
  private long tailEnd = -1;

  /** {@code secrets}: what each secret is (for messages) → its value. */
  SecretScan(Map<String, String> secrets) {
    secrets.forEach((what, value) -> {
      byte[] b = value.getBytes(StandardCharsets.UTF_8);
      if (b.length >= MIN_LENGTH) {
        needles.put(what, b);
      } else if (b.length > 0) {
        tooShort.add(what);
      }
    });
    overlap = needles.values().stream().mapToInt(b -> b.length).max().orElse(1) - 1;
    tail = new byte[Math.max(overlap, 0)];
  }

  List<Finding> findings() {
    return List.copyOf(findings);
  }

  /** Secrets too short to search for. */
  List<String> tooShort() {
    return List.copyOf(tooShort);
  }

  @Override
  public int grainSize() {
    return 512;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) {
    writeRun(offset, data);
  }

  @Override
  public void writeRun(long offset, ByteBuffer data) {
    if (needles.isEmpty() || findings.size() >= MAX_FINDINGS) {
      return;
    }
    ByteBuffer d = data.duplicate();
    int n = d.remaining();
    if (tailEnd == offset && tailLength > 0) {
      // a secret across the seam of two runs: the previous run's end and this run's start
      int head = Math.min(overlap, n);
      byte[] seam = new byte[tailLength + head];
      System.arraycopy(tail, 0, seam, 0, tailLength);
      d.get(d.position(), seam, tailLength, head);
      search(ByteBuffer.wrap(seam), offset - tailLength, tailLength);
    }
    search(d, offset, -1);
    int keep = Math.min(overlap, n);
    if (keep > 0) {
      d.get(d.position() + n - keep, tail, 0, keep);
    }
    tailLength = keep;
    tailEnd = offset + n;
  }

  /** With a {@code seam}, only matches that start before it and end after it. */
  private void search(ByteBuffer buf, long offset, int seam) {
    int start = buf.position();
    int limit = buf.limit();
    for (Map.Entry<String, byte[]> e : needles.entrySet()) {
      byte[] needle = e.getValue();
      byte first = needle[0];
      for (int i = start; i <= limit - needle.length && findings.size() < MAX_FINDINGS; i++) {
        if (buf.get(i) != first) {
          continue;
        }
        int j = 1;
        while (j < needle.length && buf.get(i + j) == needle[j]) {
          j++;
        }
        int at = i - start;
        if (j == needle.length && (seam < 0 || at < seam && at + needle.length > seam)) {
          findings.add(new Finding(e.getKey(), offset + at));
        }
      }
    }
  }

  @Override
  public void finish() {}

  @Override
  public void close() {}
}
