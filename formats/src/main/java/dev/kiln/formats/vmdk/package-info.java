/**
 * VMware's sparse VMDK: a stream-optimized writer (compressed grains, grain tables and markers,
 * the footer after the data) and a reader of stream-optimized and monolithicSparse extents,
 * with {@link dev.kiln.formats.vmdk.VmdkCodec}.
 *
 * <p>Specification: <a href="https://www.vmware.com/app/vmdk/?src=vmdk">Virtual Disk Format
 * 5.0</a> (VMware), and QEMU's {@code block/vmdk.c} for the layouts other writers produce.
 */
package dev.kiln.formats.vmdk;
