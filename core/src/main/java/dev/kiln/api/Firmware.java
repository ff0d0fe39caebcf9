package dev.kiln.api;

/** The firmware a build machine (and the resulting template) boots with. */
public enum Firmware {
  BIOS,
  UEFI
}
