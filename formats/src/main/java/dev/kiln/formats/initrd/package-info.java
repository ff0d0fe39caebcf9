/**
 * Adds files to an initrd without touching the original: a gzip'd newc cpio appended, which
 * the kernel unpacks after the first archive.
 *
 * <p>Specification: <a href="https://docs.kernel.org/driver-api/early-userspace/buffer-format.html">
 * initramfs buffer format</a> (Linux kernel documentation).
 */
package dev.kiln.formats.initrd;
