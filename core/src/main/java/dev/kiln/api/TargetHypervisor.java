package dev.kiln.api;

import dev.kiln.formats.ImageFormat;
import java.util.Set;

/** A CloudStack hypervisor a template is built for, with the disk formats it accepts. */
public enum TargetHypervisor {
  KVM(Set.of(ImageFormat.QCOW2, ImageFormat.RAW)),
  XENSERVER(Set.of(ImageFormat.VHD)),
  VMWARE(Set.of(ImageFormat.OVA)),
  HYPERV(Set.of(ImageFormat.VHD, ImageFormat.VHDX)),
  OVM(Set.of(ImageFormat.RAW));

  private final Set<ImageFormat> formats;

  TargetHypervisor(Set<ImageFormat> formats) {
    this.formats = formats;
  }

  /** The formats CloudStack registers for this hypervisor. */
  public Set<ImageFormat> formats() {
    return formats;
  }
}
