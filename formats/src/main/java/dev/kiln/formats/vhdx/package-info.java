/**
 * Microsoft's VHDX: file type identifier, two headers, region table, BAT and metadata
 * region (dynamic, 32 MiB blocks), with {@link dev.kiln.formats.vhdx.VhdxCodec}.
 *
 * <p>Specification: <a href="https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-vhdx/83e061f8-f6e2-4de1-91bd-5d518a43d477">
 * [MS-VHDX] Virtual Hard Disk v2 (VHDX) File Format</a>.
 */
package dev.kiln.formats.vhdx;
