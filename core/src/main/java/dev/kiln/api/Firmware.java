package dev.kiln.api;

/** The firmware a build machine (and the resulting template) boots with. */
public enum Firmware {
  /** Legacy BIOS (SeaBIOS under QEMU). */
  BIOS,
  /** UEFI (OVMF under QEMU). */
  UEFI
}
