package dev.kiln.api;

/** A disk image format Kiln writes. */
public enum DiskFormat {
  QCOW2("qcow2"),
  VHD("vhd"),
  VHDX("vhdx"),
  OVA("ova"),
  RAW("raw");

  private final String extension;

  DiskFormat(String extension) {
    this.extension = extension;
  }

  /** The file extension, without a dot. */
  public String extension() {
    return extension;
  }
}
