/**
 * Raw disks: the guest's bytes, written sparse (holes for zeros) and read by their data
 * extents only, found with {@code lseek(SEEK_DATA/SEEK_HOLE)} through JNA.
 *
 * <p>Reference: <a href="https://man7.org/linux/man-pages/man2/lseek.2.html">lseek(2)</a>.
 */
package dev.kiln.formats.raw;
