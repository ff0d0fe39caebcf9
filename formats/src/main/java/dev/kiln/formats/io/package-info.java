/**
 * What every format shares to read and write files: {@link dev.kiln.formats.io.Converter}, the
 * copy of a {@link dev.kiln.formats.DiskImage}'s data extents into a
 * {@link dev.kiln.formats.DiskWriter} in bounded memory; atomic files (temporary name, then
 * rename), temporary files removed on exit, coalesced writes and a writer that fans one read
 * out to several. No format package is imported here, so every format can use it.
 */
package dev.kiln.formats.io;
