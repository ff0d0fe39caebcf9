package dev.kiln.formats.ova;

import java.util.Map;
import java.util.Objects;

/**
 * How an OVF names a guest OS: the CIM operating-system number (DMTF CIM_OperatingSystem
 * OSType) and VMware's guest id. CloudStack's OVA import and vCenter read both.
 *
 * @param cimId e.g. 96 for "Debian 64-Bit"
 * @param vmwareOsType e.g. {@code debian12_64Guest}
 * @param description human text for the OperatingSystemSection
 */
public record GuestOs(int cimId, String vmwareOsType, String description) {
  /** Common guest OSes by Kiln's catalog id and major version ("debian-12"). */
  private static final Map<String, GuestOs> KNOWN = Map.ofEntries(
      Map.entry("debian-12", new GuestOs(96, "debian12_64Guest", "Debian GNU/Linux 12 (64-bit)")),
      Map.entry("debian-13", new GuestOs(96, "debian13_64Guest", "Debian GNU/Linux 13 (64-bit)")),
      Map.entry("ubuntu-22.04", new GuestOs(94, "ubuntu64Guest", "Ubuntu Linux (64-bit)")),
      Map.entry("ubuntu-24.04", new GuestOs(94, "ubuntu64Guest", "Ubuntu Linux (64-bit)")),
      Map.entry("rhel-8", new GuestOs(80, "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)")),
      Map.entry("rhel-9", new GuestOs(80, "rhel9_64Guest", "Red Hat Enterprise Linux 9 (64-bit)")),
      Map.entry("rhel-10", new GuestOs(80, "rhel9_64Guest", "Red Hat Enterprise Linux 10 (64-bit)")),
      Map.entry("almalinux-9", new GuestOs(101, "almalinux_64Guest", "AlmaLinux (64-bit)")),
      Map.entry("rocky-9", new GuestOs(101, "rockylinux_64Guest", "Rocky Linux (64-bit)")),
      Map.entry("centos-stream-9", new GuestOs(107, "centos9_64Guest",
          "CentOS Stream 9 (64-bit)")),
      Map.entry("sles-15", new GuestOs(85, "sles15_64Guest", "SUSE Linux Enterprise 15 (64-bit)")),
      Map.entry("opensuse-leap-15", new GuestOs(83, "opensuse64Guest", "openSUSE (64-bit)")),
      Map.entry("fedora-42", new GuestOs(101, "fedora64Guest", "Fedora (64-bit)")));

  /** Any Linux when nothing better is known. */
  public static final GuestOs OTHER_LINUX_64 =
      new GuestOs(101, "other5xLinux64Guest", "Other Linux (64-bit)");

  public GuestOs {
    Objects.requireNonNull(vmwareOsType);
    Objects.requireNonNull(description);
  }

  /** The entry for {@code os-version} (e.g. {@code debian-12}), or other 64-bit Linux. */
  public static GuestOs forOs(String osAndVersion) {
    GuestOs g = KNOWN.get(osAndVersion);
    if (g == null && osAndVersion.contains(".")) {
      g = KNOWN.get(osAndVersion.substring(0, osAndVersion.indexOf('.')));
    }
    return g == null ? OTHER_LINUX_64 : g;
  }
}
