package dev.kiln.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this Kiln build, as recorded in manifests and stage-cache keys. */
public final class KilnVersion {
  private static final String VERSION = load("kiln-version.properties", "version");
  private static final String COMMIT = load("kiln-git.properties", "git.commit.id.abbrev")
      + ("true".equals(load("kiln-git.properties", "git.dirty")) ? "-dirty" : "");

  private KilnVersion() {}

  /** E.g. {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  /**
   * The Git commit this Kiln was built from, abbreviated, {@code -dirty} when the working tree
   * had changes; {@code unknown} for a build outside a Git checkout.
   */
  public static String commit() {
    return COMMIT.startsWith("unknown") ? "unknown" : COMMIT;
  }

  private static String load(String resource, String key) {
    try (InputStream in = KilnVersion.class.getResourceAsStream(resource)) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty(key, "unknown");
      return v.isBlank() || v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
