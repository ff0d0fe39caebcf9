/**
 * QEMU's qcow2, versions 2 ({@code compat=0.10}) and 3 ({@code compat=1.1}): a one-pass writer
 * (data clusters appended, L1 and refcounts last, header at the end), a reader of normal, zero
 * and compressed clusters with bounded tables, a structural checker, and {@link
 * dev.kiln.formats.qcow2.Qcow2Codec}.
 *
 * <p>Specification: <a href="https://www.qemu.org/docs/master/interop/qcow2.html">the qcow2
 * image file format</a> (QEMU, {@code docs/interop/qcow2}).
 */
package dev.kiln.formats.qcow2;
