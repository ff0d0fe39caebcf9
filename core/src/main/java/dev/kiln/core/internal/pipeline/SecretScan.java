package dev.kiln.core.internal.pipeline;

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
final class SecretScan extends SeamScan {
  static final int MIN_LENGTH = 6;
  static final int MAX_FINDINGS = 10;

  /** One secret found: which one, and where in the guest disk. */
  record Finding(String what, long offset) {}

  private final Map<String, byte[]> needles = new LinkedHashMap<>();
  private final List<String> tooShort = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  /** The secrets by their first byte, for a one-pass search. */
  @SuppressWarnings("unchecked")
  private final List<Map.Entry<String, byte[]>>[] byFirstByte = new List[256];

  /** {@code secrets}: what each secret is (for messages) → its value. */
  SecretScan(Map<String, String> secrets) {
    super(secrets.values().stream().mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length)
        .max().orElse(1) - 1);
    secrets.forEach((what, value) -> {
      byte[] b = value.getBytes(StandardCharsets.UTF_8);
      if (b.length >= MIN_LENGTH) {
        needles.put(what, b);
      } else if (b.length > 0) {
        tooShort.add(what);
      }
    });
    needles.entrySet().forEach(e -> {
      int first = e.getValue()[0] & 0xff;
      if (byFirstByte[first] == null) {
        byFirstByte[first] = new ArrayList<>();
      }
      byFirstByte[first].add(e);
    });
  }

  List<Finding> findings() {
    return List.copyOf(findings);
  }

  /** Secrets too short to search for. */
  List<String> tooShort() {
    return List.copyOf(tooShort);
  }

  @Override
  boolean done() {
    return needles.isEmpty() || findings.size() >= MAX_FINDINGS;
  }

  /**
   * One pass over the data whatever the number of secrets: a byte that starts no secret is
   * passed over after one table lookup. With a {@code seam}, only matches that start before it
   * and end after it.
   */
  @Override
  void search(ByteBuffer buf, long offset, int seam) {
    int start = buf.position();
    int limit = buf.limit();
    for (int i = start; i < limit && findings.size() < MAX_FINDINGS; i++) {
      List<Map.Entry<String, byte[]>> candidates = byFirstByte[buf.get(i) & 0xff];
      if (candidates == null) {
        continue;
      }
      for (Map.Entry<String, byte[]> e : candidates) {
        byte[] needle = e.getValue();
        if (i > limit - needle.length) {
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


}
