package dev.kiln.api;

import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/** An expected digest of a downloaded or local file, written {@code sha256:<hex>}. */
public record Checksum(Algorithm algorithm, String hex) {
  /** Supported digest algorithms, with their {@link java.security.MessageDigest} names. */
  public enum Algorithm {
    /** SHA-256, what CloudStack and SHA256SUMS files use. */
    SHA256("SHA-256", 64),
    /** SHA-512. */
    SHA512("SHA-512", 128),
    /** SHA-1, accepted for vendors' published sums only. */
    SHA1("SHA-1", 40),
    /** MD5, accepted for vendors' published sums only. */
    MD5("MD5", 32);

    private final String jcaName;
    private final int hexLength;

    Algorithm(String jcaName, int hexLength) {
      this.jcaName = jcaName;
      this.hexLength = hexLength;
    }

    /** The JCA algorithm name, e.g. {@code SHA-256}. */
    public String jcaName() {
      return jcaName;
    }

    /** Number of hex digits in a digest of this algorithm. */
    public int hexLength() {
      return hexLength;
    }
  }

  /** Refuses a digest of the wrong length or with non-hex characters. */
  public Checksum {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != algorithm.hexLength()) {
      throw new IllegalArgumentException(algorithm.name().toLowerCase(Locale.ROOT) + " digest needs "
          + algorithm.hexLength() + " hex digits, got " + hex.length());
    }
    HexFormat.of().parseHex(hex); // throws IllegalArgumentException on a non-hex digit
    hex = hex.toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code algorithm:hex}, e.g. {@code sha256:9f86d0…}.
   *
   * @throws IllegalArgumentException with a message fit for a user when malformed
   */
  public static Checksum parse(String text) {
    int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>");
    }
    String name = text.substring(0, colon).trim().toUpperCase(Locale.ROOT).replace("-", "");
    Algorithm algorithm;
    try {
      algorithm = Algorithm.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown checksum algorithm '" + text.substring(0, colon)
          + "'; use sha256, sha512, sha1 or md5");
    }
    return new Checksum(algorithm, text.substring(colon + 1).trim());
  }

  @Override
  public String toString() {
    return algorithm.name().toLowerCase(Locale.ROOT) + ":" + hex;
  }
}
