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
    // $HOME first, as cmk itself reads it (under sudo -E, user.home may be root's)
    String home = System.getenv("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"),
        ".cmk", "config");
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
    } catch (java.nio.file.NoSuchFileException e) {
      throw new KilnException("there is no cloudmonkey config " + config + ": create it with "
          + "cmk (cmk set profile NAME, then set url, apikey and secretkey) or give --url, "
          + "--api-key and --secret-key-env");
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
    if (s.getOrDefault("apikey", "").isEmpty() && !s.getOrDefault("username", "").isEmpty()) {
      throw new KilnException("profile [" + name + "] in " + config + " logs in with a "
          + "username and password; Kiln signs its requests with API keys: generate them "
          + "(CloudStack UI: the user's page, Generate keys; or cmk register userkeys id=…) and "
          + "set apikey and secretkey in the profile");
    }
    for (String key : new String[] {"url", "apikey", "secretkey"}) {
      if (s.getOrDefault(key, "").isEmpty()) {
        throw new KilnException("profile [" + name + "] in " + config + " has no " + key);
      }
    }
    // cmk 6 keeps timeout and verifycert in [core] for every profile; a profile may override
    Map<String, String> core = sections.getOrDefault("core", Map.of());
    Map<String, String> top = sections.getOrDefault("", Map.of());
    String timeoutText = s.getOrDefault("timeout", core.getOrDefault("timeout",
        top.getOrDefault("timeout", "1800"))).strip();
    Duration timeout;
    try {
      timeout = Duration.ofSeconds(Long.parseLong(timeoutText));
    } catch (NumberFormatException e) {
      throw new KilnException("profile [" + name + "] in " + config + ": timeout must be "
          + "seconds, not " + timeoutText);
    }
    boolean verify = !"false".equalsIgnoreCase(s.getOrDefault("verifycert", core.getOrDefault(
        "verifycert", top.getOrDefault("verifycert", "true"))).strip());
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
