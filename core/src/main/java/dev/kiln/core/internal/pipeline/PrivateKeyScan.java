package dev.kiln.core.internal.pipeline;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for private-key material in every byte the export writes — allocated files and free
 * blocks alike, since a deleted key stays in a block until it is overwritten: the PEM and
 * OpenSSH private-key headers ({@code -----BEGIN OPENSSH PRIVATE KEY-----}, {@code RSA}, {@code
 * EC}, {@code DSA}, {@code ENCRYPTED} or plain {@code PRIVATE KEY}) followed by a key body (at
 * least {@value #MIN_BODY} Base64 characters, after any {@code Proc-Type:}/{@code DEK-Info:}
 * lines). The body matters: OpenSSH's own programs ({@code ssh}, {@code ssh-keygen},
 * {@code sshd}) hold the bare header as a string constant, so every image with OpenSSH has
 * headers without keys. It sits beside the format writers in the export's single read of the
 * disk, so the scan costs no extra read.
 *
 * <p>Libraries carry complete test keys as C string constants (GnuTLS's self-tests: PKCS#8
 * GOST and EC keys in {@code libgnutls.so}), so every Debian image holds private keys nobody
 * can misuse. A PEM key that starts right after a NUL byte at an offset that is not
 * 512-byte aligned is such a constant ({@link Finding#embedded()}): a key file of its own starts
 * a filesystem block, a key inside a text file follows text. OpenSSH-format keys are never
 * treated as embedded. Known gap: a PEM key small enough for btrfs to store inline in its
 * metadata follows a NUL byte at an unaligned offset too, and counts as embedded.
 */
final class PrivateKeyScan extends SeamScan {
  /**
   * One key found: where in the guest disk, which kind, and whether it is a string constant
   * inside a binary rather than a file or part of one.
   */
  record Finding(long offset, String header, boolean embedded) {}

  static final int MAX_FINDINGS = 20;
  private static final byte[] BEGIN = "-----BEGIN ".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern HEADER = Pattern.compile(
      "-----BEGIN ((?:OPENSSH |RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----");
  /** Base64 characters of key body that make a header a key (the smallest key has ~300). */
  static final int MIN_BODY = 64;
  /** Header lines allowed between the header and the body (legacy encrypted PEM). */
  private static final int MAX_HEADER_LINES = 3;
  /**
   * The longest stretch a finding needs (header, header lines, body with line breaks), so one
   * split across two runs is still seen whole.
   */
  private static final int OVERLAP = 512;

  private final List<Finding> findings = new ArrayList<>();
  private final List<Finding> embedded = new ArrayList<>();
  private long scanned;

  /** Keys in files: each one fails the export unless private keys are allowed. */
  List<Finding> findings() {
    return List.copyOf(findings);
  }

  /** Keys that are string constants inside binaries (library self-test vectors). */
  List<Finding> embedded() {
    return List.copyOf(embedded);
  }

  /** Bytes of guest data looked at. */
  long scanned() {
    return scanned;
  }

  PrivateKeyScan() {
    super(OVERLAP);
  }

  /**
   * Reports the headers in {@code buf} (guest offset {@code offset}); with a {@code seam}, only
   * those that start before it and end after it (the others were or will be seen whole).
   */
  @Override
  void search(ByteBuffer buf, long offset, int seam) {
    if (seam < 0) {
      scanned += buf.remaining();
    }
    int start = buf.position();
    int end = buf.limit() - BEGIN.length;
    for (int i = start; i <= end && findings.size() < MAX_FINDINGS; i++) {
      if (buf.get(i) != '-' || !startsWithBegin(buf, i)) {
        continue;
      }
      byte[] candidate = new byte[Math.min(OVERLAP, buf.limit() - i)];
      buf.get(i, candidate);
      Matcher m = HEADER.matcher(new String(candidate, StandardCharsets.ISO_8859_1));
      int at = i - start;
      int keyEnd = m.lookingAt() ? endOfKeyBody(candidate, m.end()) : -1;
      if (keyEnd > 0 && (seam < 0 || at < seam && at + keyEnd > seam)) {
        long where = offset + at;
        byte before = i > start ? buf.get(i - 1) : seam < 0 ? byteBefore(offset) : 0;
        boolean constant = !m.group(1).startsWith("OPENSSH") && where % 512 != 0
            && before == 0;
        List<Finding> into = constant ? embedded : findings;
        if (into.size() < MAX_FINDINGS) {
          into.add(new Finding(where, m.group(1), constant));
        }
      }
      i += BEGIN.length - 1;
    }
  }

  /**
   * Where the {@value #MIN_BODY}th Base64 character of the body after the header ends, or -1
   * when there is no such body: line breaks are skipped, up to {@value #MAX_HEADER_LINES}
   * {@code Name: value} lines and one blank line may come first.
   */
  static int endOfKeyBody(byte[] b, int from) {
    int i = from;
    int headerLines = 0;
    while (true) { // skip the line break, then "Proc-Type: 4,ENCRYPTED"-style lines
      while (i < b.length && (b[i] == '\r' || b[i] == '\n')) {
        i++;
      }
      int lineEnd = i;
      while (lineEnd < b.length && b[lineEnd] != '\n' && b[lineEnd] >= 0x20 && b[lineEnd] < 0x7f) {
        lineEnd++;
      }
      boolean headerLine = false;
      for (int k = i; k < lineEnd; k++) {
        if (b[k] == ':') {
          headerLine = true;
          break;
        }
      }
      if (!headerLine || headerLines == MAX_HEADER_LINES || lineEnd >= b.length) {
        break;
      }
      headerLines++;
      i = lineEnd;
    }
    int body = 0;
    for (; i < b.length; i++) {
      byte c = b[i];
      if (c == '\r' || c == '\n') {
        continue;
      }
      boolean base64 = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '+' || c == '/' || c == '=';
      if (!base64) {
        return -1;
      }
      if (++body == MIN_BODY) {
        return i + 1;
      }
    }
    return -1;
  }

  private static boolean startsWithBegin(ByteBuffer buf, int i) {
    for (int k = 0; k < BEGIN.length; k++) {
      if (buf.get(i + k) != BEGIN[k]) {
        return false;
      }
    }
    return true;
  }
}
