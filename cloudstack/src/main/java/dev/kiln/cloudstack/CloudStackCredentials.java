package dev.kiln.cloudstack;

import dev.kiln.api.KilnException;
import dev.kiln.api.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where a CloudStack API is and the keys to use it. Read from cloudmonkey's configuration
 * ({@code ~/.cmk/config}: INI, one section per profile with {@code url}, {@code apikey},
 * {@code secretkey}, {@code timeout}, {@code verifycert}), so {@code cmk} users need no new
 * set-up, or given directly. {@link #toString()} never shows the secret key.
 */
public record CloudStackCredentials(URI endpoint, String apiKey, Secret secretKey,
    Duration timeout, boolean verifyTls) {
  public CloudStackCredentials {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(secretKey, "secretKey");
    Objects.requireNonNull(timeout, "timeout");
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("the API endpoint must be an http(s) URL: " + endpoint);
    }
  }

  /** cloudmonkey's default configuration file. */
  public static Path defaultCmkConfig() {
    return Path.of(System.getProperty("user.home"), ".cmk", "config");
  }

  /**
   * The profile {@code profile} of a cloudmonkey configuration file; an empty name means the
   * file's {@code profile = …} setting in its top-level section (cmk's current profile).
   *
   * @throws KilnException naming the file and what is missing (never a key)
   */
  public static CloudStackCredentials fromCmkConfig(Path config, String profile)
      throws KilnException {
    Map<String, Map<String, String>> sections;
    try {
      sections = parseIni(Files.readString(config, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KilnException("cannot read cloudmonkey config " + config + ": " + e.getMessage());
    }
    String name = profile == null || profile.isEmpty()
        ? sections.getOrDefault("core", Map.of()).getOrDefault("profile",
            sections.getOrDefault("", Map.of()).getOrDefault("profile", "localcloud"))
        : profile;
    Map<String, String> s = sections.get(name);
    if (s == null) {
      throw new KilnException("cloudmonkey config " + config + " has no profile [" + name
          + "] (profiles: " + String.join(", ", sections.keySet().stream()
              .filter(k -> !k.isEmpty() && !k.equals("core")).toList()) + ")");
    }
    for (String key : new String[] {"url", "apikey", "secretkey"}) {
      if (s.getOrDefault(key, "").isEmpty()) {
        throw new KilnException("profile [" + name + "] in " + config + " has no " + key);
      }
    }
    Duration timeout = Duration.ofSeconds(Long.parseLong(s.getOrDefault("timeout", "1800")
        .strip()));
    boolean verify = !"false".equalsIgnoreCase(s.getOrDefault("verifycert", "true").strip());
    return new CloudStackCredentials(URI.create(s.get("url").strip()), s.get("apikey").strip(),
        Secret.of(s.get("secretkey").strip()), timeout, verify);
  }

  static Map<String, Map<String, String>> parseIni(String text) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    String section = "";
    out.put(section, new LinkedHashMap<>());
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).strip();
        out.computeIfAbsent(section, k -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.get(section).put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT),
            line.substring(eq + 1).strip());
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "CloudStackCredentials[endpoint=" + endpoint + ", apiKey=" + abbreviate(apiKey)
        + ", secretKey=" + secretKey + ", timeout=" + timeout + ", verifyTls=" + verifyTls + "]";
  }

  private static String abbreviate(String key) {
    return key.length() <= 8 ? "****" : key.substring(0, 4) + "…";
  }
}
