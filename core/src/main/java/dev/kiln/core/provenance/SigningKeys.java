package dev.kiln.core.provenance;

import dev.kiln.api.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys in the PEM files OpenSSL writes: {@code openssl genpkey -algorithm ed25519}
 * (PKCS #8, {@code PRIVATE KEY}) and {@code openssl pkey -pubout} (SubjectPublicKeyInfo,
 * {@code PUBLIC KEY}). Errors name the file, never the key's bytes.
 */
public final class SigningKeys {
  private SigningKeys() {}

  /** The private key in {@code pem} (its text, e.g. from an environment variable). */
  public static PrivateKey privateKey(String pem, String where) throws KilnException {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(
          der(pem, "PRIVATE KEY", where)));
    } catch (GeneralSecurityException e) {
      throw new KilnException(where + " is not an Ed25519 private key (make one with: openssl "
          + "genpkey -algorithm ed25519 -out kiln-signing.pem)");
    }
  }

  public static PrivateKey privateKey(Path file) throws KilnException {
    return privateKey(read(file), file.toString());
  }

  public static PublicKey publicKey(Path file) throws KilnException {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(
          der(read(file), "PUBLIC KEY", file.toString())));
    } catch (GeneralSecurityException e) {
      throw new KilnException(file + " is not an Ed25519 public key (write one with: openssl "
          + "pkey -in kiln-signing.pem -pubout -out kiln-signing.pub)");
    }
  }

  /** The key's id in envelopes: SHA-256 of its SubjectPublicKeyInfo, in hex. */
  public static String keyId(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          key.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The public half of an Ed25519 private key. The JDK has no call for it; its key-pair
   * generator derives the public key from a 32-byte seed drawn from the random source, so a
   * source that hands out the private key's own seed rebuilds the pair.
   */
  public static PublicKey publicOf(PrivateKey key) throws KilnException {
    byte[] seed = ((java.security.interfaces.EdECPrivateKey) key).getBytes().orElseThrow(() ->
        new KilnException("the signing key does not expose its seed"));
    try {
      java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("Ed25519");
      g.initialize(new java.security.spec.NamedParameterSpec("Ed25519"), new FixedSeed(seed));
      return g.generateKeyPair().getPublic();
    } catch (GeneralSecurityException e) {
      throw new KilnException("cannot derive the signing key's public key: " + e.getMessage());
    } finally {
      java.util.Arrays.fill(seed, (byte) 0);
    }
  }

  private static byte[] der(String pem, String label, String where) throws KilnException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end);
    if (b < 0 || e < b) {
      throw new KilnException(where + " holds no " + label + " block (PEM, as openssl writes)");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    } catch (IllegalArgumentException x) {
      throw new KilnException(where + ": the " + label + " block is not base64");
    }
  }

  private static String read(Path file) throws KilnException {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new KilnException("cannot read " + file + ": " + (e instanceof
          java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
  }

  /** A SecureRandom that hands out one seed: the key generator then rebuilds that key. */
  private static final class FixedSeed extends java.security.SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedSeed(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
    }
  }
}
