package dev.kiln.formats.iso9660;

/**
 * One El Torito boot entry.
 *
 * @param platform 0 for x86 BIOS, 0xEF for UEFI
 * @param bootable whether the entry is marked bootable (0x88)
 * @param mediaType 0 for no emulation
 * @param sectorCount virtual 512-byte sectors loaded
 * @param lba the boot image's first 2048-byte sector
 */
public record BootEntry(int platform, boolean bootable, int mediaType, int sectorCount,
    long lba) {}
