package dev.kiln.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this Kiln build, as recorded in manifests and stage-cache keys. */
public final class KilnVersion {
  private static final String VERSION = load();

  private KilnVersion() {}

  /** E.g. {@code 0.1.0} or {@code 0.1.0-SNAPSHOT}. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = KilnVersion.class.getResourceAsStream("kiln-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
