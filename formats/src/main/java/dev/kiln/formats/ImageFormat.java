package dev.kiln.formats;

/** Disk image formats Kiln reads or writes. */
public enum ImageFormat {
  RAW,
  QCOW2,
  VHD,
  VHDX,
  VMDK,
  /** An OVA: a tar of an OVF descriptor, a manifest and disks (a container, not a disk). */
  OVA
}
