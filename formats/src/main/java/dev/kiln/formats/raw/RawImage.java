package dev.kiln.formats.raw;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.Extent;
import dev.kiln.formats.ImageFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** A raw disk image; holes are found with SEEK_DATA/SEEK_HOLE and never read. */
public final class RawImage implements DiskImage {
  private final Path file;
  private final FileChannel channel;
  private final long size;

  private RawImage(Path file, FileChannel channel, long size) {
    this.file = file;
    this.channel = channel;
    this.size = size;
  }

  public static RawImage open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    return new RawImage(file, ch, ch.size());
  }

  @Override
  public ImageFormat format() {
    return ImageFormat.RAW;
  }

  @Override
  public long virtualSize() {
    return size;
  }

  @Override
  public List<Extent> dataExtents() throws IOException {
    return SparseFiles.dataExtents(file, size);
  }

  @Override
  public long allocatedBytes() throws IOException {
    return allocatedBytes(file);
  }

  /**
   * Bytes of {@code file} backed by storage, i.e. the sum of its data extents (the JDK exposes
   * no block count before Java 21).
   */
  public static long allocatedBytes(Path file) throws IOException {
    long size = Files.size(file);
    return SparseFiles.dataExtents(file, size).stream().mapToLong(Extent::length).sum();
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      int n = offset >= size ? -1 : channel.read(dst, offset);
      if (n < 0) {
        Extent.zeroFill(dst);
        return;
      }
      offset += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
