package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.core.Build;
import dev.kiln.core.provenance.SigningKeys;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code kiln build}'s provenance signing: a key file, or the key's PEM in the environment. */
final class SigningOptions {
  /** The environment variable that may hold the signing key's PEM text (CI secrets). */
  static final String ENV = "KILN_SIGNING_KEY";

  @Option(names = "--sign-key", paramLabel = "KEY.pem", description = "Sign the build's "
      + "provenance (provenance.intoto.jsonl) with this Ed25519 key (openssl genpkey -algorithm "
      + "ed25519); the environment variable " + ENV + " may hold the PEM instead.")
  Path signKey;

  /** Sets the key on {@code b} when one was given; the key is never printed. */
  void apply(Build.Builder b) throws KilnException {
    key().ifPresent(b::signWith);
  }

  /** The key given by option or environment, read once (a matrix signs every entry with it). */
  java.util.Optional<java.security.PrivateKey> key() throws KilnException {
    if (signKey != null) {
      return java.util.Optional.of(SigningKeys.privateKey(signKey));
    }
    String pem = System.getenv(ENV);
    if (pem != null && !pem.isBlank()) {
      return java.util.Optional.of(SigningKeys.privateKey(pem, "$" + ENV));
    }
    return java.util.Optional.empty();
  }
}
