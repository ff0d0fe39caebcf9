package dev.kiln.formats;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** A disk image opened for reading as the guest sees it: a sparse, random-access byte range. */
public interface DiskImage extends Closeable {
  /** The detected format. */
  ImageFormat format();

  /** The disk's size as the guest sees it, in bytes. */
  long virtualSize();

  /**
   * The ranges that may hold data, in increasing order; everything else reads as zero.
   * Readers that cannot tell report one extent covering the whole disk.
   */
  List<Extent> dataExtents() throws IOException;

  /** Bytes the image file occupies on disk. */
  long allocatedBytes() throws IOException;

  /**
   * Fills {@code dst} from guest offset {@code offset}; bytes past the end read as zero.
   *
   * @throws FormatException when the image's structures point somewhere impossible
   */
  void read(long offset, ByteBuffer dst) throws IOException;
}
