package dev.kiln.formats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The first bytes of a file and a way to read a few more, for {@link FormatCodec#recognises}:
 * formats are told apart by their content, never by a file name.
 */
public final class FileHead {
  /** How many bytes {@link #bytes()} holds at most: one sector, enough for every magic. */
  public static final int LENGTH = 512;

  private final FileChannel channel;
  private final ByteBuffer head;
  private final long size;

  /** Reads the first {@link #LENGTH} bytes of {@code channel}. */
  public static FileHead read(FileChannel channel) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(LENGTH);
    channel.read(head, 0);
    head.flip();
    return new FileHead(channel, head.asReadOnlyBuffer(), channel.size());
  }

  private FileHead(FileChannel channel, ByteBuffer head, long size) {
    this.channel = channel;
    this.head = head;
    this.size = size;
  }

  /** The file's first bytes (fewer than {@link #LENGTH} for a short file), read-only. */
  public ByteBuffer bytes() {
    return head.duplicate();
  }

  /** The file's length in bytes. */
  public long size() {
    return size;
  }

  /** Whether the file starts with {@code magic} read as ISO-8859-1. */
  public boolean startsWith(String magic) {
    return startsWith(0, magic);
  }

  /** Whether the bytes at {@code offset} spell {@code magic} (ISO-8859-1). */
  public boolean startsWith(long offset, String magic) {
    byte[] want = magic.getBytes(StandardCharsets.ISO_8859_1);
    if (offset < 0 || offset + want.length > size) {
      return false;
    }
    ByteBuffer got;
    if (offset + want.length <= head.limit()) {
      got = head.duplicate().position((int) offset).limit((int) offset + want.length);
    } else {
      got = ByteBuffer.allocate(want.length);
      try {
        channel.read(got, offset);
      } catch (IOException e) {
        return false;
      }
      got.flip();
    }
    return got.equals(ByteBuffer.wrap(want));
  }
}
