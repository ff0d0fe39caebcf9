/**
 * ISO 9660 media Kiln writes for seed and answer files and remasters installer ISOs with:
 * Joliet and Rock Ridge names, El Torito BIOS (with boot-info table) and UEFI boot entries,
 * multi-extent files over 4 GiB; and a reader of the same.
 *
 * <p>Specifications: <a href="https://ecma-international.org/publications-and-standards/standards/ecma-119/">
 * ECMA-119</a>; <a href="https://pdos.csail.mit.edu/6.828/2018/readings/boot-cdrom.pdf">El
 * Torito</a> (Phoenix/IBM, 1995); Rock Ridge (IEEE P1282 RRIP with SUSP, IEEE P1281); Joliet
 * (Microsoft, 1995).
 */
package dev.kiln.formats.iso9660;
