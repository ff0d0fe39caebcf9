/**
 * OVA: a ustar archive of an OVF descriptor, its SHA-256 manifest and a stream-optimized VMDK
 * — written in one pass, read with the manifest verified and XML parsed safely (no DTDs), with
 * {@link dev.kiln.formats.ova.OvaCodec}.
 *
 * <p>Specification: <a href="https://www.dmtf.org/standards/ovf">DMTF DSP0243, Open
 * Virtualization Format</a> (1.x and 2.x envelopes; schema in {@code docs/}), and VMware's
 * format URL for stream-optimized disks.
 */
package dev.kiln.formats.ova;
