/**
 * Disk image codecs: open any supported image (raw, qcow2, VHD, VHDX, VMDK, the disk of an OVA)
 * as a sparse random-access view ({@link dev.kiln.formats.DiskImages}), and write qcow2, VHD,
 * VHDX, stream-optimized VMDK, OVA and raw with Kiln's own writers through
 * {@link dev.kiln.formats.convert.Converter}; ISO 9660 media and initrd archives besides. One
 * package per format, each with its specification's link; format errors are
 * {@link dev.kiln.formats.FormatException}s naming the field and offset. This module depends on
 * nothing else of Kiln.
 */
package dev.kiln.formats;
