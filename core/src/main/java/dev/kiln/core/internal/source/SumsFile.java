package dev.kiln.core.internal.source;

import dev.kiln.api.Checksum;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A distribution's checksum list: GNU style ({@code HEX  NAME}, {@code HEX *NAME}), BSD style
 * ({@code SHA256 (NAME) = HEX}, as Fedora, Alma and Rocky publish), optionally clear-signed
 * (the PGP armour is skipped; the signature itself is not verified here). The algorithm
 * follows from the digest's length.
 */
public final class SumsFile {
  private static final Pattern GNU = Pattern.compile("([0-9a-fA-F]{32,128})\\s+\\*?(\\S.*)");
  private static final Pattern BSD = Pattern.compile("(SHA256|SHA512|SHA1|MD5)\\s*\\((.+)\\)"
      + "\\s*=\\s*([0-9a-fA-F]{32,128})");

  private SumsFile() {}

  /** The checksum listed for {@code fileName}, if any. */
  public static Optional<Checksum> find(String text, String fileName) {
    boolean inSignature = false;
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.startsWith("-----BEGIN PGP SIGNATURE")) {
        inSignature = true;
      } else if (line.startsWith("-----END PGP SIGNATURE")) {
        inSignature = false;
        continue;
      }
      if (inSignature || line.isEmpty() || line.startsWith("#") || line.startsWith("Hash:")
          || line.startsWith("-----")) {
        continue;
      }
      Matcher bsd = BSD.matcher(line);
      if (bsd.matches() && name(bsd.group(2)).equals(fileName)) {
        return checksum(bsd.group(3));
      }
      Matcher gnu = GNU.matcher(line);
      if (gnu.matches() && name(gnu.group(2)).equals(fileName)) {
        return checksum(gnu.group(1));
      }
    }
    return Optional.empty();
  }

  private static String name(String listed) {
    String n = listed.strip();
    if (n.startsWith("./")) {
      n = n.substring(2);
    }
    int slash = n.lastIndexOf('/');
    return slash >= 0 ? n.substring(slash + 1) : n;
  }

  private static Optional<Checksum> checksum(String hex) {
    String h = hex.toLowerCase(Locale.ROOT);
    Checksum.Algorithm a = switch (h.length()) {
      case 64 -> Checksum.Algorithm.SHA256;
      case 128 -> Checksum.Algorithm.SHA512;
      case 40 -> Checksum.Algorithm.SHA1;
      case 32 -> Checksum.Algorithm.MD5;
      default -> null;
    };
    return a == null ? Optional.empty() : Optional.of(new Checksum(a, h));
  }
}
