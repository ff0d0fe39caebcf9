package dev.kiln.core.internal.ssh;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.KeyPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The build's own SSH key pair: ed25519, made fresh for every build. The private key lives in
 * memory and, for debugging a kept machine, in the build directory with mode 0600; it is never
 * written elsewhere and never printed ({@link #toString()} shows the public key only).
 */
public final class BuildKey {
  private final byte[] privateKey;
  private final String publicKey;

  private BuildKey(byte[] privateKey, String publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** A new key pair whose public key carries {@code comment} (e.g. kiln-build-ID). */
  public static BuildKey generate(String comment) {
    try {
      KeyPair pair = KeyPair.genKeyPair(new JSch(), KeyPair.ED25519);
      ByteArrayOutputStream priv = new ByteArrayOutputStream();
      pair.setPublicKeyComment(comment);
      pair.writeOpenSSHv1PrivateKey(priv, null);
      ByteArrayOutputStream pub = new ByteArrayOutputStream();
      pair.writePublicKey(pub, comment);
      pair.dispose();
      return new BuildKey(priv.toByteArray(), pub.toString(StandardCharsets.US_ASCII).strip());
    } catch (JSchException e) {
      throw new IllegalStateException("ed25519 key generation failed", e);
    }
  }

  /** A key pair saved earlier with {@link #privateKeyText()} (e.g. with a cached install). */
  public static BuildKey load(String privateKeyText) {
    try {
      byte[] priv = privateKeyText.getBytes(StandardCharsets.US_ASCII);
      KeyPair pair = KeyPair.load(new JSch(), priv, null);
      ByteArrayOutputStream pub = new ByteArrayOutputStream();
      pair.writePublicKey(pub, pair.getPublicKeyComment());
      pair.dispose();
      return new BuildKey(priv, pub.toString(StandardCharsets.US_ASCII).strip());
    } catch (JSchException e) {
      throw new IllegalArgumentException("not an OpenSSH private key", e);
    }
  }

  /** The private key in OpenSSH format, to store next to a cached install (mode 0600). */
  public String privateKeyText() {
    return new String(privateKey, StandardCharsets.US_ASCII);
  }

  /** The {@code authorized_keys} line. */
  public String publicKey() {
    return publicKey;
  }

  byte[] privateKey() {
    return privateKey.clone();
  }

  /** Writes {@code id_ed25519} (0600) and {@code id_ed25519.pub} into the build directory. */
  public Path writeTo(Path buildDir) throws IOException {
    Path key = buildDir.resolve("id_ed25519");
    Files.deleteIfExists(key);
    Files.createFile(key, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.write(key, privateKey, StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(buildDir.resolve("id_ed25519.pub"), publicKey + "\n");
    return key;
  }

  @Override
  public String toString() {
    return "BuildKey[" + publicKey + "]";
  }
}
