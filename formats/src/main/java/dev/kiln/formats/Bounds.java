package dev.kiln.formats;

/**
 * The resource contract of every reader, in one place: each length, count and offset read from
 * a file is checked here, in {@code long} arithmetic that cannot overflow, before it sizes an
 * allocation, a loop or a read.
 *
 * <ul>
 *   <li>A region must lie inside the file: {@code 0 <= at} and {@code len <= fileSize - at}
 *       (never {@code at + len}, which a hostile 64-bit offset overflows).
 *   <li>A table loaded into the heap must lie inside the file <em>and</em> stay under {@link
 *       #MAX_TABLE_BYTES}, so no input makes a reader allocate more than a bounded multiple of
 *       what it actually read.
 *   <li>A count must lie in the range the format allows before it is cast to {@code int}.
 * </ul>
 *
 * Sharing (the same table or data block referenced twice, which a format without snapshots
 * never does) is caught by {@link Claims}; the list of problems a checker reports is capped by
 * {@link ProblemList}. Together they keep {@code inspect} and {@code convert} in time
 * proportional to the file's size (docs/formats.md, "Resource contract").
 */
public final class Bounds {
  /** The largest single table (L1, BAT, grain directory, …) a reader loads into the heap. */
  public static final long MAX_TABLE_BYTES = 64L << 20;

  private Bounds() {}

  /**
   * Checks that {@code [at, at + len)} lies inside a file of {@code fileSize} bytes.
   *
   * @param field the on-disk field that gave {@code at} (named as in the format's spec)
   * @param fieldOffset where that field is in the file, or -1
   * @return {@code at}
   */
  public static long region(String field, long fieldOffset, long at, long len, long fileSize)
      throws FormatException {
    if (at < 0 || len < 0 || len > fileSize - at) {
      throw new FormatException(len + " bytes at offset " + at + " lie outside the "
          + fileSize + "-byte file", field, fieldOffset);
    }
    return at;
  }

  /**
   * Checks a table of {@code count} entries of {@code entrySize} bytes at {@code at}: inside
   * the file and no larger than {@link #MAX_TABLE_BYTES}.
   *
   * @return the table's length in bytes, safe to allocate
   */
  public static int table(String field, long fieldOffset, long at, long count, int entrySize,
      long fileSize) throws FormatException {
    if (count < 0 || count > MAX_TABLE_BYTES / entrySize) {
      throw new FormatException("a table of " + count + " entries is larger than any real "
          + "image has (at most " + MAX_TABLE_BYTES / entrySize + ")", field, fieldOffset);
    }
    long len = count * entrySize;
    region(field, fieldOffset, at, len, fileSize);
    return (int) len;
  }

  /**
   * Checks that {@code value} lies in {@code [min, max]}.
   *
   * @param what a few words saying what the value is, e.g. "refcount table clusters"
   * @return {@code value}
   */
  public static long range(String field, long fieldOffset, long value, long min, long max,
      String what) throws FormatException {
    if (value < min || value > max) {
      throw new FormatException(what + " " + value + " is outside " + min + ".." + max, field,
          fieldOffset);
    }
    return value;
  }

  /** Like {@link #range} for a value that is then used as an {@code int}. */
  public static int intRange(String field, long fieldOffset, long value, int min, int max,
      String what) throws FormatException {
    return (int) range(field, fieldOffset, value, min, max, what);
  }
}
