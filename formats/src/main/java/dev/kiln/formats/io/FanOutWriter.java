package dev.kiln.formats.io;

import dev.kiln.formats.DiskWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One {@link DiskWriter} that feeds several: a disk is read once and written to every target
 * format at the same time. Its grain is the largest of the writers' grains (all are powers of
 * two), so every run it passes on is aligned for each of them.
 */
public final class FanOutWriter implements DiskWriter {
  private final List<DiskWriter> writers;
  private final int grain;

  public FanOutWriter(List<DiskWriter> writers) {
    if (writers.isEmpty()) {
      throw new IllegalArgumentException("no writers");
    }
    this.writers = List.copyOf(writers);
    this.grain = writers.stream().mapToInt(DiskWriter::grainSize).max().orElseThrow();
  }

  @Override
  public int grainSize() {
    return grain;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) throws IOException {
    writeRun(offset, data);
  }

  @Override
  public void writeRun(long offset, ByteBuffer data) throws IOException {
    for (DiskWriter w : writers) {
      w.writeRun(offset, data.duplicate());
    }
  }

  @Override
  public void finish() throws IOException {
    for (DiskWriter w : writers) {
      w.finish();
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (DiskWriter w : writers) {
      try {
        w.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
