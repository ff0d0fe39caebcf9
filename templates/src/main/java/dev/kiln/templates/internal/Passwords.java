package dev.kiln.templates.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.apache.commons.codec.digest.Sha2Crypt;

/** SHA-512 crypt ({@code $6$}), the hash every target installer accepts as "pre-hashed". */
public final class Passwords {
  private static final String SALT_CHARS =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passwords() {}

  public static String sha512Crypt(String password) {
    StringBuilder salt = new StringBuilder("$6$");
    for (int i = 0; i < 16; i++) {
      salt.append(SALT_CHARS.charAt(RANDOM.nextInt(SALT_CHARS.length())));
    }
    return sha512Crypt(password, salt.toString());
  }

  /** With a given salt ({@code $6$...}), for tests against other implementations. */
  public static String sha512Crypt(String password, String salt) {
    return Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), salt);
  }
}
