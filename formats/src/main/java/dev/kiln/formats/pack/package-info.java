/**
 * Packaging a finished image as CloudStack downloads it — bzip2, gzip, zip (ZIP64 for large
 * entries), xz — on all cores, with MD5, SHA-256 and SHA-512 computed as the bytes are written.
 *
 * <p>Specifications: <a href="https://www.rfc-editor.org/rfc/rfc1952">RFC 1952</a> (gzip),
 * <a href="https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT">PKWARE APPNOTE</a>
 * (zip), <a href="https://tukaani.org/xz/xz-file-format.txt">the .xz file format</a>.
 */
package dev.kiln.formats.pack;
