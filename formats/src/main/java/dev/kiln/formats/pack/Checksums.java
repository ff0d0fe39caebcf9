package dev.kiln.formats.pack;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** MD5, SHA-256 and SHA-512 of a byte stream, updated as it is written. */
public final class Checksums {
  /** The algorithms, in the order they are reported. */
  public static final String[] ALGORITHMS = {"MD5", "SHA-256", "SHA-512"};
  private final MessageDigest[] digests = new MessageDigest[ALGORITHMS.length];

  public Checksums() {
    try {
      for (int i = 0; i < ALGORITHMS.length; i++) {
        digests[i] = MessageDigest.getInstance(ALGORITHMS[i]);
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks a standard digest", e);
    }
  }

  public void update(byte[] b, int off, int len) {
    for (MessageDigest d : digests) {
      d.update(b, off, len);
    }
  }

  /** Algorithm name to lower-case hex; call once, at the end. */
  public Map<String, String> finish() {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < ALGORITHMS.length; i++) {
      out.put(ALGORITHMS[i], HexFormat.of().formatHex(digests[i].digest()));
    }
    return out;
  }
}
