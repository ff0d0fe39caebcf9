/**
 * Disk image codecs: open any supported image as a sparse random-access view ({@link
 * dev.kiln.formats.DiskImages}), and write qcow2, VHD and raw with Kiln's own writers
 * ({@link dev.kiln.formats.convert.Converter}). One package per format; format errors are
 * {@link dev.kiln.formats.FormatException}s naming the field and offset. This module depends on
 * nothing else of Kiln.
 */
package dev.kiln.formats;
