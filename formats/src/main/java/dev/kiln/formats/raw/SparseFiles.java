package dev.kiln.formats.raw;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.kiln.formats.Extent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the data regions of a sparse file with {@code lseek(SEEK_DATA/SEEK_HOLE)} (Linux,
 * through JNA), so holes are never read. Where the call is unavailable the whole file counts as
 * data, which is correct, only slower.
 */
final class SparseFiles {
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;
  private static final int O_RDONLY = 0;
  private static final int ENXIO = 6;

  /** The slice of libc used here. */
  interface CLib extends Library {
    int open(String path, int flags);

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    int close(int fd);
  }

  private static final CLib LIBC = load();

  private SparseFiles() {}

  private static CLib load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", CLib.class);
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }

  /** The data extents of {@code file} up to {@code size}, adjacent ones merged. */
  static List<Extent> dataExtents(Path file, long size) throws IOException {
    List<Extent> out = new ArrayList<>();
    if (size == 0) {
      return out;
    }
    if (LIBC == null) {
      out.add(new Extent(0, size));
      return out;
    }
    int fd = LIBC.open(file.toString(), O_RDONLY);
    if (fd < 0) {
      throw new IOException("cannot open " + file + ": errno " + Native.getLastError());
    }
    try {
      long pos = 0;
      while (pos < size) {
        long data;
        try {
          data = LIBC.lseek(fd, pos, SEEK_DATA);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == ENXIO) {
            break; // no data after pos
          }
          out.clear();
          out.add(new Extent(0, size)); // filesystem without SEEK_DATA: treat all as data
          return out;
        }
        if (data >= size) {
          break;
        }
        long hole = Math.min(LIBC.lseek(fd, data, SEEK_HOLE), size); // EOF counts as a hole
        if (hole <= data) {
          hole = size;
        }
        out.add(new Extent(data, hole - data));
        pos = hole;
      }
      return out;
    } finally {
      LIBC.close(fd);
    }
  }
}
