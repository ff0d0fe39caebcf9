/**
 * Kiln's own bzip2 encoder (Burrows–Wheeler transform by suffix sorting, move-to-front, RLE and
 * Huffman coding), run block-parallel; its output is judged in the tests by decoders Kiln did not write.
 *
 * <p>Format: <a href="https://sourceware.org/bzip2/">bzip2</a> (Julian Seward's reference
 * implementation; there is no formal specification) and Joe Tsai's
 * <a href="https://github.com/dsnet/compress/blob/master/doc/bzip2-format.pdf">format
 * description</a>.
 */
package dev.kiln.formats.bzip2;
