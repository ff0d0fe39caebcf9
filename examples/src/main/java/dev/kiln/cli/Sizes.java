package dev.kiln.cli;

import java.time.Duration;
import java.util.Locale;

/** Byte counts, rates and durations as a person reads them in a log line. */
final class Sizes {
  private Sizes() {}

  static String human(long bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  /** "40% (820.0 MiB of 2.0 GiB, 95.2 MiB/s, ETA 0:13)", or without a total "820.0 MiB". */
  static String progress(long done, long total, Duration elapsed) {
    double secs = Math.max(0.001, elapsed.toMillis() / 1000.0);
    double rate = done / secs;
    String speed = human((long) rate) + "/s";
    if (total <= 0) {
      return human(done) + ", " + speed;
    }
    long eta = rate > 0 ? (long) ((total - done) / rate) : -1;
    return String.format(Locale.ROOT, "%d%% (%s of %s, %s, ETA %s)", done * 100 / total,
        human(done), human(total), speed, eta < 0 ? "?" : eta / 60 + ":"
            + String.format(Locale.ROOT, "%02d", eta % 60));
  }
}
