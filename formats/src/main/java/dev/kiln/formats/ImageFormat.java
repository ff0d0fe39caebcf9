package dev.kiln.formats;

/** Disk image formats Kiln reads or writes. */
public enum ImageFormat {
  RAW,
  QCOW2,
  VHD,
  VHDX,
  VMDK
}
