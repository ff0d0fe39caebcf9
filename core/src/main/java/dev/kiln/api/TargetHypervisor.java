package dev.kiln.api;

import java.util.Set;

/** A CloudStack hypervisor a template is built for, with the disk formats it accepts. */
public enum TargetHypervisor {
  KVM(Set.of(DiskFormat.QCOW2, DiskFormat.RAW)),
  XENSERVER(Set.of(DiskFormat.VHD)),
  VMWARE(Set.of(DiskFormat.OVA)),
  HYPERV(Set.of(DiskFormat.VHD, DiskFormat.VHDX)),
  OVM(Set.of(DiskFormat.RAW));

  private final Set<DiskFormat> formats;

  TargetHypervisor(Set<DiskFormat> formats) {
    this.formats = formats;
  }

  /** The formats CloudStack registers for this hypervisor. */
  public Set<DiskFormat> formats() {
    return formats;
  }
}
