package dev.kiln.formats.raw;

import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.CoalescingWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes a sparse raw image: grains never handed over stay holes. */
public final class RawWriter implements DiskWriter {
  private static final int GRAIN = 64 << 10;
  private final AtomicFile file;
  private final CoalescingWriter writes;
  private final long size;

  private RawWriter(AtomicFile file, long size) {
    this.file = file;
    this.writes = new CoalescingWriter(file.channel());
    this.size = size;
  }

  public static RawWriter create(Path destination, long virtualSize) throws IOException {
    return new RawWriter(AtomicFile.create(destination), virtualSize);
  }

  @Override
  public int grainSize() {
    return GRAIN;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) throws IOException {
    writes.write(data, offset);
  }

  @Override
  public void writeRun(long offset, ByteBuffer data) throws IOException {
    writes.write(data, offset);
  }

  @Override
  public void finish() throws IOException {
    writes.flush();
    file.channel().truncate(size);
    if (file.channel().size() < size) {
      file.channel().write(ByteBuffer.allocate(1), size - 1);
      // a one-byte write extends the file; the byte is zero, like the hole it replaces
    }
    file.commit();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
