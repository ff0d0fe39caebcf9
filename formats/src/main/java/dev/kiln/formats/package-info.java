/**
 * Disk image codecs: open any supported image (raw, qcow2, VHD, VHDX, VMDK, the disk of an OVA)
 * as a sparse random-access view (through {@link dev.kiln.formats.registry.FormatRegistry}, one {@link dev.kiln.formats.FormatCodec} per format package), and write qcow2, VHD,
 * VHDX, stream-optimized VMDK, OVA and raw with Kiln's own writers through
 * {@link dev.kiln.formats.io.Converter}; ISO 9660 media and initrd archives besides. One
 * package per format, each with its specification's link; format errors are
 * {@link dev.kiln.formats.FormatException}s naming the field and offset. This module depends on
 * nothing else of Kiln.
 */
package dev.kiln.formats;
