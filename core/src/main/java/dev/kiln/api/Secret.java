package dev.kiln.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A password, key or token. Its value is read only when {@link #reveal()} is called and never
 * appears in {@link #toString()}, events, logs or exception messages; only where it comes from
 * does.
 */
public final class Secret {
  /** Where a secret's value comes from. */
  public enum Origin {
    /** Written in the recipe itself (discouraged outside tests). */
    LITERAL,
    /** Read from an environment variable. */
    ENVIRONMENT,
    /** Read from a file (its first line, without the line end). */
    FILE
  }

  private static final String SALT_CHARS =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final java.security.SecureRandom SALT_RANDOM = new java.security.SecureRandom();

  private final Origin origin;
  private final String reference;

  private Secret(Origin origin, String reference) {
    this.origin = Objects.requireNonNull(origin);
    this.reference = Objects.requireNonNull(reference);
  }

  /** A secret given inline. */
  public static Secret of(String value) {
    return new Secret(Origin.LITERAL, value);
  }

  /** A secret read from the environment variable {@code name} when revealed. */
  public static Secret fromEnvironment(String name) {
    return new Secret(Origin.ENVIRONMENT, name);
  }

  /** A secret read from {@code file} when revealed. */
  public static Secret fromFile(Path file) {
    return new Secret(Origin.FILE, file.toString());
  }

  public Origin origin() {
    return origin;
  }

  /**
   * The value.
   *
   * @throws KilnException when the variable is unset or the file unreadable; the message names
   *     the variable or file, never a value
   */
  public String reveal() throws KilnException {
    switch (origin) {
      case LITERAL:
        return reference;
      case ENVIRONMENT:
        String value = System.getenv(reference);
        if (value == null) {
          throw new KilnException("secret environment variable " + reference + " is not set");
        }
        return value;
      case FILE:
        try {
          String text = Files.readString(Path.of(reference), StandardCharsets.UTF_8);
          int end = text.indexOf('\n');
          return (end < 0 ? text : text.substring(0, end)).stripTrailing();
        } catch (IOException e) {
          throw new KilnException("cannot read secret file " + reference + ": " + e.getMessage());
        }
      default:
        throw new AssertionError(origin);
    }
  }

  /**
   * The value as a SHA-512 crypt hash ({@code $6$} with a random 16-character salt): the
   * "pre-hashed password" every target installer and cloud-init accept, so answer files never
   * hold the value itself.
   */
  public String sha512Crypt() throws KilnException {
    StringBuilder salt = new StringBuilder("$6$");
    for (int i = 0; i < 16; i++) {
      salt.append(SALT_CHARS.charAt(SALT_RANDOM.nextInt(SALT_CHARS.length())));
    }
    return sha512Crypt(reveal(), salt.toString());
  }

  /** SHA-512 crypt of {@code password} with a given salt ({@code $6$...}), for tests. */
  public static String sha512Crypt(String password, String salt) {
    return org.apache.commons.codec.digest.Sha2Crypt.sha512Crypt(
        password.getBytes(StandardCharsets.UTF_8), salt);
  }

  /** Describes the origin without the value: {@code Secret[env:ROOT_PW]}, {@code Secret[****]}. */
  @Override
  public String toString() {
    switch (origin) {
      case ENVIRONMENT:
        return "Secret[env:" + reference + "]";
      case FILE:
        return "Secret[file:" + reference + "]";
      default:
        return "Secret[****]";
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && ((Secret) o).origin == origin
        && ((Secret) o).reference.equals(reference);
  }

  @Override
  public int hashCode() {
    return Objects.hash(origin, reference);
  }
}
