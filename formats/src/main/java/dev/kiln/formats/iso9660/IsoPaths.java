package dev.kiln.formats.iso9660;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/** Path checks and the name forms of ECMA-119 (8.3 d-characters) and Joliet. */
final class IsoPaths {
  private IsoPaths() {}

  /** Splits a relative path, rejecting empty, "." and ".." components and NUL characters. */
  static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.isEmpty()) {
      throw new IllegalArgumentException("empty path");
    }
    String[] parts = p.split("/", -1);
    for (String part : parts) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('\0') >= 0
          || part.getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("bad path component '" + part + "' in " + path);
      }
    }
    return parts;
  }

  /** An ISO 9660 level-1 identifier: FILENAME.EXT;1 or DIRNAME, in d-characters. */
  static String isoName(String name, boolean directory) {
    String upper = name.toUpperCase(Locale.ROOT);
    if (directory) {
      return dChars(upper, 8);
    }
    int dot = upper.lastIndexOf('.');
    String base = dot > 0 ? upper.substring(0, dot) : upper;
    String ext = dot > 0 ? upper.substring(dot + 1) : "";
    return dChars(base, 8) + "." + (ext.isEmpty() ? "" : dChars(ext, 3)) + ";1";
  }

  private static String dChars(String s, int max) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < max; i++) {
      char c = s.charAt(i);
      out.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
    }
    return out.length() == 0 ? "_" : out.toString();
  }

  /** A Joliet identifier: at most 64 UCS-2 characters, without * / : ; ? \ . */
  static String jolietName(String name, boolean directory) { // same rules for directories
    StringBuilder out = new StringBuilder();
    name.codePoints().forEach(cp -> {
      if (cp > 0xFFFF || "*/:;?\\".indexOf(cp) >= 0 || cp < 0x20) {
        out.append('_');
      } else {
        out.appendCodePoint(cp);
      }
    });
    String s = out.length() > 64 ? out.substring(0, 64) : out.toString();
    return s;
  }

  /** Makes {@code name} unique within a directory by replacing its tail with ~N. */
  static String unique(String name, Set<String> used, boolean directory) {
    if (used.add(name)) {
      return name;
    }
    String suffix = "";
    String stem = name;
    int semicolon = name.indexOf(';');
    int dot = name.lastIndexOf('.', semicolon < 0 ? name.length() : semicolon);
    if (!directory && dot >= 0) {
      suffix = name.substring(dot);
      stem = name.substring(0, dot);
    }
    for (int i = 1; ; i++) {
      String tag = "~" + i;
      String base = stem.length() + tag.length() > 8 && !stem.isEmpty()
          ? stem.substring(0, Math.max(0, Math.min(stem.length(), 8 - tag.length()))) : stem;
      String candidate = base + tag + suffix;
      if (used.add(candidate)) {
        return candidate;
      }
    }
  }
}
