package dev.kiln.templates.values;

import dev.kiln.spi.OsProfile.PackageFamily;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One OS version in the catalog: where its installer ISO and cloud image come from, how to boot
 * the installer and in which language its answers are written.
 *
 * @param id the distribution id, e.g. {@code almalinux}
 * @param version e.g. {@code 9}, {@code 24.04}, {@code 15-sp6}
 * @param installerOptions installer-specific settings: {@code schema} (subiquity),
 *     {@code kickstart} (syntax version, e.g. RHEL9), {@code product} (Agama)
 * @param registration {@code activation-key} (RHEL) or {@code regcode} (SLES), when needed
 */
public record CatalogEntry(String id, String version, String name, Installer installer,
    PackageFamily packages, IsoMedia iso, Optional<CloudImage> cloudImage,
    String cloudstackOsType, Optional<String> registration,
    Map<String, String> installerOptions) {
  public CatalogEntry {
    Objects.requireNonNull(id);
    Objects.requireNonNull(version);
    installerOptions = Map.copyOf(installerOptions);
  }

  /** The installer ISO. */
  public record IsoMedia(List<URI> urls, Optional<String> file, Optional<URI> checksums,
      Optional<URI> signature, boolean localOnly, String volumeId, String kernel,
      String initrd) {
    public IsoMedia {
      urls = List.copyOf(urls);
    }
  }

  /** The vendor's cloud image and its checksum file. */
  public record CloudImage(URI url, URI checksums) {}

  /** {@code id-version}, e.g. {@code ubuntu-24.04}: how users name an entry. */
  public String osId() {
    return id + "-" + version;
  }

  public String option(String key) {
    String v = installerOptions.get(key);
    if (v == null) {
      throw new IllegalStateException(osId() + " has no " + key + " in the catalog");
    }
    return v;
  }
}
