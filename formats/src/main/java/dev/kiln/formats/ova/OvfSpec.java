package dev.kiln.formats.ova;

import dev.kiln.formats.WriterOptions;
import java.util.Objects;

/**
 * The virtual machine an OVA describes.
 *
 * @param name the VirtualSystem id and name
 * @param guestOs the guest OS identifiers
 * @param cpus virtual CPUs
 * @param memoryMiB memory in MiB
 * @param efi UEFI firmware (vmw:Config firmware=efi) instead of BIOS
 * @param hardwareVersion e.g. {@code vmx-14} (ESXi 6.7); the lowest the target needs
 * @param scsiController {@code lsilogic} or {@code VirtualSCSI} (pvscsi)
 * @param buildId recorded in the ProductSection and annotation
 * @param version the product version recorded in the ProductSection
 */
public record OvfSpec(String name, GuestOs guestOs, int cpus, long memoryMiB, boolean efi,
    String hardwareVersion, String scsiController, String buildId, String version)
    implements WriterOptions {
  public OvfSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(guestOs);
    if (!hardwareVersion.matches("vmx-\\d{2}")) {
      throw new IllegalArgumentException("hardware version like vmx-14, not " + hardwareVersion);
    }
    if (!scsiController.equals("lsilogic") && !scsiController.equals("VirtualSCSI")) {
      throw new IllegalArgumentException("SCSI controller is lsilogic or VirtualSCSI");
    }
    if (cpus < 1 || memoryMiB < 1) {
      throw new IllegalArgumentException("cpus and memory must be positive");
    }
  }

  /**
   * A plain machine for {@code name}: one CPU, 1 GiB, BIOS, ESXi 6.7 hardware, LSI Logic,
   * a generic 64-bit Linux — for callers that write OVAs without describing a VM.
   */
  public static OvfSpec minimal(String name) {
    return new OvfSpec(name, GuestOs.OTHER_LINUX_64, 1, 1024, false, "vmx-14", "lsilogic", "",
        "");
  }
}
