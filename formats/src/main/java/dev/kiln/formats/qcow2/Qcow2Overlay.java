package dev.kiln.formats.qcow2;

import dev.kiln.formats.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Creates an empty qcow2 v3 image whose reads fall through to a backing file (qemu
 * docs/interop/qcow2.rst: {@code backing_file_offset}/{@code backing_file_size} and the "Backing
 * file format name" header extension). A build machine writes into the overlay and the base
 * image stays untouched, so one cached base serves every build.
 *
 * <p>Layout, one 64 KiB cluster each: header with extensions and the backing file name, the
 * refcount table, one refcount block, then the (empty) L1 table.
 */
public final class Qcow2Overlay {
  static final int CLUSTER_BITS = 16;
  static final int CLUSTER_SIZE = 1 << CLUSTER_BITS;
  /** Header extension type "Backing file format name". */
  static final int EXT_BACKING_FORMAT = 0xE2792ACA;
  /** Names longer than this are refused, as qemu does (1023 bytes). */
  static final int MAX_BACKING_NAME = 1023;

  private Qcow2Overlay() {}

  /**
   * Writes {@code overlay} (atomically) on top of {@code backing}.
   *
   * @param backing the base image as the overlay records it (an absolute path is safest)
   * @param backingFormat {@code raw}, {@code qcow2}, ...
   * @param size virtual size in bytes; normally the base image's
   */
  public static void create(Path overlay, String backing, String backingFormat, long size)
      throws IOException {
    byte[] name = backing.getBytes(StandardCharsets.UTF_8);
    byte[] format = backingFormat.getBytes(StandardCharsets.US_ASCII);
    if (name.length == 0 || name.length > MAX_BACKING_NAME) {
      throw new IllegalArgumentException("backing file name must be 1-" + MAX_BACKING_NAME + " bytes");
    }
    if (!backingFormat.matches("[a-z0-9]{1,16}")) {
      throw new IllegalArgumentException("backing format must be a short lower-case name, not '"
          + backingFormat + "'");
    }
    if (size <= 0 || size > Qcow2Header.MAX_SIZE) {
      throw new IllegalArgumentException("virtual size out of range: " + size);
    }
    long l2Coverage = (long) CLUSTER_SIZE * (CLUSTER_SIZE / 8);
    int l1Size = (int) ((size + l2Coverage - 1) / l2Coverage);
    int l1Clusters = (int) (((long) l1Size * 8 + CLUSTER_SIZE - 1) / CLUSTER_SIZE);
    long totalClusters = 3L + l1Clusters;
    if (totalClusters > CLUSTER_SIZE / 2) { // one 16-bit refcount block covers 32768 clusters
      throw new IllegalArgumentException("virtual size too large for an overlay: " + size);
    }
    ByteBuffer head = ByteBuffer.allocate(CLUSTER_SIZE);
    Qcow2Header header = new Qcow2Header(3, CLUSTER_BITS, size, l1Size, 3L * CLUSTER_SIZE,
        CLUSTER_SIZE, 1, 0, 4, Qcow2Header.V3_HEADER_LENGTH);
    header.write(head);
    head.position(head.position() - 8); // replace the end-of-extensions mark
    head.putInt(EXT_BACKING_FORMAT).putInt(format.length).put(format);
    pad8(head);
    head.putInt(0).putInt(0); // end of header extensions
    int nameOffset = head.position();
    head.put(name);
    head.putLong(8, nameOffset).putInt(16, name.length); // backing_file_offset, _size
    ByteBuffer refcountTable = ByteBuffer.allocate(CLUSTER_SIZE).putLong(0, 2L * CLUSTER_SIZE);
    ByteBuffer refcountBlock = ByteBuffer.allocate(CLUSTER_SIZE);
    for (int c = 0; c < totalClusters; c++) {
      refcountBlock.putShort(c * 2, (short) 1);
    }
    try (AtomicFile out = AtomicFile.create(overlay)) {
      FileChannel ch = out.channel();
      writeFully(ch, head.position(0).limit(CLUSTER_SIZE), 0);
      writeFully(ch, refcountTable, CLUSTER_SIZE);
      writeFully(ch, refcountBlock, 2L * CLUSTER_SIZE);
      writeFully(ch, ByteBuffer.allocate(l1Clusters * CLUSTER_SIZE), 3L * CLUSTER_SIZE);
      out.commit();
    }
  }

  /**
   * Points an overlay made by {@link #create} at another copy of the same base (qemu-img's
   * "unsafe" rebase, {@code rebase -u}): only the backing file name changes, in place in the
   * first cluster where {@code create} put it. For an overlay that came back from a remote
   * host, whose base was an identical copy there.
   *
   * @throws dev.kiln.formats.FormatException when the image keeps its backing name elsewhere or the new
   *     name does not fit
   */
  public static void rebase(Path overlay, String backing) throws IOException {
    byte[] name = backing.getBytes(StandardCharsets.UTF_8);
    if (name.length == 0 || name.length > MAX_BACKING_NAME) {
      throw new IllegalArgumentException("backing file name must be 1-" + MAX_BACKING_NAME
          + " bytes");
    }
    try (FileChannel ch = FileChannel.open(overlay, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(24);
      while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
        // header fields up to cluster_bits
      }
      long offset = head.getLong(8);
      int oldSize = head.getInt(16);
      long cluster = 1L << head.getInt(20);
      if (head.getInt(0) != 0x514649fb || offset < 72 || offset + Math.max(oldSize,
          name.length) > cluster) {
        throw new dev.kiln.formats.FormatException("the backing file name of " + overlay
            + " is not in its first cluster, where an overlay keeps it", "backing_file_offset",
            8);
      }
      ByteBuffer field = ByteBuffer.allocate(Math.max(oldSize, name.length)).put(name);
      writeFully(ch, field, offset);
      writeFully(ch, ByteBuffer.allocate(4).putInt(0, name.length), 16);
      ch.force(true);
    }
  }

  /**
   * The backing file name a qcow2 image records (the mirror of {@link #rebase}'s write), empty
   * when it has none or is not a qcow2 image.
   */
  public static java.util.Optional<String> backingName(Path image) throws IOException {
    try (FileChannel ch = FileChannel.open(image)) {
      ByteBuffer head = ByteBuffer.allocate(20);
      while (head.hasRemaining() && ch.read(head, head.position()) > 0) {
        // header fields up to backing_file_size
      }
      long offset = head.getLong(8);
      int size = head.getInt(16);
      if (head.position() < 20 || head.getInt(0) != 0x514649fb || offset <= 0 || size <= 0
          || size > MAX_BACKING_NAME) {
        return java.util.Optional.empty();
      }
      ByteBuffer name = ByteBuffer.allocate(size);
      while (name.hasRemaining() && ch.read(name, offset + name.position()) > 0) {
        // the name
      }
      return java.util.Optional.of(new String(name.array(), 0, name.position(),
          StandardCharsets.UTF_8));
    }
  }

  private static void pad8(ByteBuffer b) {
    while (b.position() % 8 != 0) {
      b.put((byte) 0);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    b.rewind();
    while (b.hasRemaining()) {
      at += ch.write(b, at);
    }
  }
}
