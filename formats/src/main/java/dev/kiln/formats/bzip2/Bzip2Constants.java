package dev.kiln.formats.bzip2;

/** Numbers of the bzip2 format, named as in bzip2's own sources (bzlib_private.h). */
final class Bzip2Constants {
  private Bzip2Constants() {}

  /** "BZh" then the block size in 100 kB. */
  static final byte[] STREAM_MAGIC = {'B', 'Z', 'h'};
  /** π's first digits in BCD: starts every compressed block. */
  static final long BLOCK_MAGIC = 0x314159265359L;
  /** √π's first digits in BCD: ends the stream. */
  static final long END_OF_STREAM_MAGIC = 0x177245385090L;
  static final int BLOCK_SIZE_100K = 9;
  /**
   * Bytes of run-length-encoded input a block takes before it is cut: bzip2's
   * {@code nblockMAX = 100000 * blockSize100k - 19}, so that one more run still fits.
   */
  static final int BLOCK_FILL_LIMIT = 100_000 * BLOCK_SIZE_100K - 19;
  static final int MAX_BLOCK = 100_000 * BLOCK_SIZE_100K;
  static final int RUNA = 0;
  static final int RUNB = 1;
  static final int MAX_ALPHA_SIZE = 258;
  /** bzip2 encodes with at most 17 bits per code (its decoder accepts 20). */
  static final int MAX_CODE_LENGTH = 17;
  static final int N_GROUPS = 6;
  static final int G_SIZE = 50;
  static final int N_ITERS = 4;
  static final int LESSER_ICOST = 0;
  static final int GREATER_ICOST = 15;
}
