package dev.kiln.formats.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Positional writes to a file channel, gathered: small writes that continue where the previous
 * one ended are copied into one 4 MiB direct buffer and reach the kernel as one call; a write
 * of 256 KiB or more is passed on without a copy (after what is gathered before it). Writers call
 * {@link #flush()} before writing anywhere else through the channel.
 */
public final class CoalescingWriter {
  static final int CAPACITY = 4 << 20;
  /** Writes at least this long go to the kernel as they are, when they cannot be appended. */
  static final int DIRECT_WRITE = 256 << 10;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(CAPACITY);
  private long bufferStart = -1;

  public CoalescingWriter(FileChannel channel) {
    this.channel = channel;
  }

  /** Writes {@code src} (position to limit) at {@code position}; {@code src} is not kept. */
  public void write(ByteBuffer src, long position) throws IOException {
    int len = src.remaining();
    if (len < DIRECT_WRITE && bufferStart >= 0 && position == bufferStart + buffer.position()
        && len <= buffer.remaining()) {
      buffer.put(src.duplicate());
      return;
    }
    flush();
    if (len >= DIRECT_WRITE) { // large enough for one call on its own: no copy
      writeFully(channel, src.duplicate(), position);
      return;
    }
    bufferStart = position;
    buffer.put(src.duplicate());
  }

  /** Writes {@code len} zero bytes at {@code position}. */
  public void writeZeros(int len, long position) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate(Math.min(len, CAPACITY));
    long pos = position;
    for (int left = len; left > 0; ) {
      int n = Math.min(left, zeros.capacity());
      write(zeros.clear().limit(n), pos);
      pos += n;
      left -= n;
    }
  }

  public void flush() throws IOException {
    if (bufferStart >= 0 && buffer.position() > 0) {
      buffer.flip();
      writeFully(channel, buffer, bufferStart);
    }
    buffer.clear();
    bufferStart = -1;
  }

  /** Writes all of {@code b} at {@code position}. */
  public static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      position += ch.write(b, position);
    }
  }
}
