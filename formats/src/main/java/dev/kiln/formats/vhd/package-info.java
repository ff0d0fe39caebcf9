/**
 * Microsoft's VHD, fixed and dynamic (2 MiB blocks, as XenServer writes): footer, dynamic-disk
 * header, block allocation table and sector bitmaps, with {@link dev.kiln.formats.vhd.VhdCodec}.
 *
 * <p>Specification: <a href="https://learn.microsoft.com/en-us/windows/win32/vstor/about-vhd">
 * Virtual Hard Disk Image Format Specification</a> (Microsoft, 2006).
 */
package dev.kiln.formats.vhd;
