package dev.kiln.api;

/** Disk layout of the installed system. */
public enum Partitioning {
  /** One root filesystem, no swap, no LVM: CloudStack can grow it in place. */
  SINGLE_ROOT,
  /** Root on an LVM logical volume. */
  LVM
}
