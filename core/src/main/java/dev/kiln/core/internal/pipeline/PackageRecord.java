package dev.kiln.core.internal.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One installed package as the guest's package database describes it.
 *
 * @param kind {@code deb} or {@code rpm}
 * @param source the source package's name (dpkg: {@code source:Package}; RPM: from
 *     {@code SOURCERPM})
 * @param license the package's licence (RPM's {@code LICENSE}); empty for dpkg, whose
 *     database has none
 */
record PackageRecord(String kind, String name, String version, String arch, String source,
    String sourceVersion, Optional<String> license) {

  /** Lines of {@code kind\tname\tversion\tarch\tsource\tsourceVersion\tlicense}. */
  static List<PackageRecord> parse(List<String> lines) {
    List<PackageRecord> out = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      if (f.length < 7 || f[1].isBlank() || f[2].isBlank()) {
        continue;
      }
      String source = f[4];
      String sourceVersion = f[5];
      if (f[0].equals("rpm") && source.endsWith(".src.rpm")) {
        // bash-5.1.8-6.el9.src.rpm: name, then version-release
        String base = source.substring(0, source.length() - ".src.rpm".length());
        int release = base.lastIndexOf('-');
        int version = release > 0 ? base.lastIndexOf('-', release - 1) : -1;
        if (version > 0) {
          source = base.substring(0, version);
          sourceVersion = base.substring(version + 1);
        }
      }
      String license = f[6].strip();
      out.add(new PackageRecord(f[0], f[1], f[2], f[3], source.isBlank() ? f[1] : source,
          sourceVersion.isBlank() ? f[2] : sourceVersion, license.isEmpty()
              || license.equals("(none)") ? Optional.empty() : Optional.of(license)));
    }
    return out;
  }
}
