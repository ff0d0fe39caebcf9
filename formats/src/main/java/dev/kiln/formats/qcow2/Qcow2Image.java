package dev.kiln.formats.qcow2;

import dev.kiln.formats.Bounds;
import dev.kiln.formats.Claims;
import dev.kiln.formats.DiskImage;
import dev.kiln.formats.Extent;
import dev.kiln.formats.FileRegions;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.UnsupportedFeatureException;
import dev.kiln.formats.raw.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads qcow2 v2/v3: normal, zero and compressed (zlib) clusters, any cluster size. Every table
 * entry is checked against the file before it is followed, so a corrupt image gives a
 * {@link FormatException} naming the entry, never garbage or an out-of-memory error.
 */
public final class Qcow2Image implements DiskImage {
  private static final long OFFSET_MASK = 0x00fffffffffffe00L;
  private static final long COMPRESSED = 1L << 62;

  private final Path file;
  private final FileChannel channel;
  private final long fileSize;
  private final Qcow2Header header;
  private final int clusterSize;
  private final int l2Entries;
  private final long[] l1;
  private long cachedL2Offset = -1;
  /** Where unallocated clusters come from; null for a standalone image (they read as zeros). */
  private DiskImage backing;
  /** How many backing files an image may chain through. */
  static final int MAX_CHAIN = 64; // the step cache chains a layer per provisioning step
  /** Deflate's largest expansion (RFC 1951: 258 bytes from a 2-bit code, about 1032:1). */
  static final long MAX_DEFLATE_RATIO = 1032;
  /** Header extension type "Backing file format name". */
  static final int EXT_BACKING_FORMAT = 0xE2792ACA;
  private final long[] cachedL2;

  private Qcow2Image(Path file, FileChannel channel, Qcow2Header header, long[] l1)
      throws IOException {
    this.file = file;
    this.channel = channel;
    this.fileSize = channel.size();
    this.header = header;
    this.clusterSize = 1 << header.clusterBits();
    this.l2Entries = clusterSize / 8;
    this.l1 = l1;
    this.cachedL2 = new long[l2Entries];
  }

  public static Qcow2Image open(Path file) throws IOException {
    return open(file, false, 0);
  }

  /**
   * Opens an image together with its backing chain (qcow2 overlays over qcow2 or raw bases,
   * as Kiln's build machines write them): clusters the image does not hold are read from its
   * backing file. The backing file name is resolved against the image's directory.
   */
  public static Qcow2Image openChain(Path file) throws IOException {
    return open(file, true, 0);
  }

  private static Qcow2Image open(Path file, boolean chain, int depth) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    Qcow2Image image = null;
    try {
      long size = ch.size();
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 65536));
      FileRegions.readFully(ch, head, 0);
      head.flip();
      Qcow2Header h = Qcow2Header.read(head, size, chain);
      ByteBuffer l1Buf = ByteBuffer.allocate(h.l1Size() * 8);
      FileRegions.readFully(ch, l1Buf, h.l1TableOffset());
      l1Buf.flip();
      long[] l1 = new long[h.l1Size()];
      for (int i = 0; i < l1.length; i++) {
        l1[i] = l1Buf.getLong();
      }
      image = new Qcow2Image(file, ch, h, l1);
      if (head.getLong(8) != 0) {
        if (depth >= MAX_CHAIN) {
          throw new FormatException("backing chain longer than " + MAX_CHAIN,
              "backing_file_offset", 8);
        }
        image.backing = openBacking(file, head, size, depth);
      }
      return image;
    } catch (IOException | RuntimeException e) {
      if (image != null) {
        image.close();
      } else {
        ch.close();
      }
      throw e;
    }
  }

  private static DiskImage openBacking(Path file, ByteBuffer head, long fileSize, int depth)
      throws IOException {
    long nameOffset = head.getLong(8);
    int nameSize = Bounds.intRange("backing_file_size", 16, head.getInt(16), 1, 1023,
        "backing file name length");
    Bounds.region("backing_file_offset", 8, nameOffset, nameSize, Math.min(head.limit(),
        fileSize));
    byte[] name = new byte[nameSize];
    head.get((int) nameOffset, name);
    String baseName = new String(name, java.nio.charset.StandardCharsets.UTF_8);
    Path base;
    try {
      base = file.toAbsolutePath().getParent().resolve(baseName);
    } catch (java.nio.file.InvalidPathException e) { // a NUL, on Linux
      throw new FormatException("the backing file name is not a usable path ("
          + e.getReason() + ")", "backing file name", nameOffset);
    }
    String format = backingFormat(head);
    if (format.equals("raw")) {
      return dev.kiln.formats.raw.RawImage.open(base);
    }
    if (format.equals("qcow2") || format.isEmpty() && hasQcow2Magic(base)) {
      return open(base, true, depth + 1);
    }
    if (format.isEmpty()) {
      // with no format named, QEMU probes; Kiln's bases are qcow2 or raw, so raw it is
      return dev.kiln.formats.raw.RawImage.open(base);
    }
    throw new UnsupportedFeatureException("backing files in " + format + " format",
        "backing file format", 0);
  }

  /** The "backing file format name" header extension of a v3 header, or empty. */
  private static String backingFormat(ByteBuffer head) throws FormatException {
    if (head.getInt(4) < 3) {
      return "";
    }
    long pos = head.getInt(100); // header_length, checked by Qcow2Header.read
    while (pos + 8 <= head.limit()) {
      int type = head.getInt((int) pos);
      long len = Integer.toUnsignedLong(head.getInt((int) pos + 4));
      if (type == 0) {
        return "";
      }
      Bounds.region("header extension length", pos + 4, pos + 8, len, head.limit());
      if (type == EXT_BACKING_FORMAT) {
        byte[] f = new byte[(int) Bounds.range("header extension length", pos + 4, len, 1, 64,
            "backing format name length")];
        head.get((int) pos + 8, f);
        return new String(f, java.nio.charset.StandardCharsets.US_ASCII);
      }
      pos += 8 + ((len + 7) & ~7L);
    }
    return "";
  }

  public Qcow2Header header() {
    return header;
  }

  @Override
  public ImageFormat format() {
    return ImageFormat.QCOW2;
  }

  @Override
  public long virtualSize() {
    return header.size();
  }

  @Override
  public long allocatedBytes() throws IOException {
    return RawImage.allocatedBytes(file);
  }

  @Override
  public List<Extent> dataExtents() throws IOException {
    List<Extent> own = ownExtents();
    if (backing == null) {
      return own;
    }
    List<Extent> all = new ArrayList<>(own);
    for (Extent e : backing.dataExtents()) {
      if (e.offset() < header.size()) {
        all.add(new Extent(e.offset(), Math.min(e.end(), header.size()) - e.offset()));
      }
    }
    all.sort(java.util.Comparator.comparingLong(Extent::offset));
    List<Extent> merged = new ArrayList<>();
    for (Extent e : all) {
      Extent last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && e.offset() <= last.end()) {
        merged.set(merged.size() - 1, new Extent(last.offset(), Math.max(last.end(), e.end())
            - last.offset()));
      } else {
        merged.add(e);
      }
    }
    return merged;
  }

  /**
   * The guest ranges this file holds data for. Every L2 table and every uncompressed data
   * cluster may be referenced once (Kiln refuses snapshots, the only reason for sharing), and
   * compressed clusters may not promise more data than deflate can give from the whole file:
   * so the extents, and the work of reading them, stay proportional to the file's size.
   */
  private List<Extent> ownExtents() throws IOException {
    List<Extent> out = new ArrayList<>();
    Claims claims = new Claims(fileSize, clusterSize);
    claims.claim(0, clusterSize); // the header
    long compressedClusters = 0;
    long runStart = -1;
    long runEnd = -1;
    for (int i = 0; i < l1.length; i++) {
      long l2Offset = l2Offset(i);
      if (l2Offset == 0) {
        continue;
      }
      long l1At = header.l1TableOffset() + 8L * i;
      claims.claimOnce(l2Offset, clusterSize, "L2 table", "L1 entry " + i, l1At);
      long[] l2 = loadL2(l2Offset, i);
      for (int j = 0; j < l2Entries; j++) {
        long guest = ((long) i * l2Entries + j) * clusterSize;
        if (guest >= header.size()) {
          break;
        }
        long entryAt = l2Offset + 8L * j;
        if ((l2[j] & COMPRESSED) != 0) {
          compressedClusters++;
          if (compressedClusters * clusterSize > MAX_DEFLATE_RATIO * fileSize) {
            throw new FormatException("compressed clusters promise more than "
                + MAX_DEFLATE_RATIO + " times the file's size of data, more than deflate can "
                + "give", "L2 entry", entryAt);
          }
        } else if (isData(l2[j])) {
          long host = l2[j] & OFFSET_MASK;
          if (host < fileSize) { // a cluster past the end is reported when it is read
            claims.claimOnce(host, clusterSize, "data cluster", "L2 entry", entryAt);
          }
        }
        if (isData(l2[j])) {
          if (guest == runEnd) {
            runEnd += clusterSize;
          } else {
            if (runStart >= 0) {
              out.add(new Extent(runStart, runEnd - runStart));
            }
            runStart = guest;
            runEnd = guest + clusterSize;
          }
        }
      }
    }
    if (runStart >= 0) {
      out.add(new Extent(runStart, Math.min(runEnd, header.size()) - runStart));
    }
    return out;
  }

  private boolean isData(long entry) {
    if ((entry & COMPRESSED) != 0) {
      return true;
    }
    boolean zeroFlag = header.version() >= 3 && (entry & 1) != 0;
    return !zeroFlag && (entry & OFFSET_MASK) != 0;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    byte[] cluster = new byte[clusterSize];
    while (dst.hasRemaining()) {
      if (offset >= header.size()) {
        Extent.zeroFill(dst);
        return;
      }
      long clusterIndex = offset / clusterSize;
      int within = (int) (offset % clusterSize);
      int n = (int) Math.min(Math.min(dst.remaining(), clusterSize - within),
          header.size() - offset);
      readCluster(clusterIndex, cluster);
      dst.put(cluster, within, n);
      offset += n;
    }
  }

  private void readCluster(long index, byte[] into) throws IOException {
    int l1Index = (int) (index / l2Entries);
    long l2Offset = l2Offset(l1Index);
    java.util.Arrays.fill(into, (byte) 0);
    if (l2Offset == 0) {
      if (backing != null) {
        readBacking(index, into);
      }
      return;
    }
    long entry = loadL2(l2Offset, l1Index)[(int) (index % l2Entries)];
    long entryAt = l2Offset + 8 * (index % l2Entries);
    if (entry == 0 && backing != null) { // unallocated, not a zero cluster: the base's data
      readBacking(index, into);
      return;
    }
    if ((entry & COMPRESSED) != 0) {
      inflate(entry, entryAt, into);
      return;
    }
    if (!isData(entry)) {
      return;
    }
    long host = entry & OFFSET_MASK;
    if (host % clusterSize != 0 || host < clusterSize || host >= fileSize) {
      throw new FormatException("data cluster at " + host + " is outside the file or unaligned",
          "L2 entry", entryAt);
    }
    ByteBuffer b = ByteBuffer.wrap(into, 0, (int) Math.min(clusterSize, fileSize - host));
    FileRegions.readFully(channel, b, host);
  }

  private void readBacking(long index, byte[] into) throws IOException {
    long at = index * clusterSize;
    if (at >= backing.virtualSize()) {
      return; // beyond the base: zeros
    }
    int n = (int) Math.min(clusterSize, backing.virtualSize() - at);
    backing.read(at, ByteBuffer.wrap(into, 0, n));
  }

  private void inflate(long entry, long entryAt, byte[] into) throws IOException {
    int x = 62 - (header.clusterBits() - 8);
    long host = entry & ((1L << x) - 1);
    long sectors = ((entry >>> x) & ((1L << (header.clusterBits() - 8)) - 1)) + 1;
    long len = sectors * 512 - (host & 511);
    if (host < clusterSize || host >= fileSize) {
      throw new FormatException("compressed cluster at " + host + " is outside the file",
          "L2 entry", entryAt);
    }
    len = Math.min(len, fileSize - host);
    byte[] packed = new byte[(int) len];
    FileRegions.readFully(channel, ByteBuffer.wrap(packed), host);
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(packed);
      int done = 0;
      while (done < into.length && !inflater.finished()) {
        int n = inflater.inflate(into, done, into.length - done);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        done += n;
      }
      if (done != into.length) {
        throw new FormatException("compressed cluster inflates to " + done + " bytes, not "
            + into.length, "L2 entry", entryAt);
      }
    } catch (DataFormatException e) {
      throw new FormatException("compressed cluster is not valid deflate data: "
          + e.getMessage(), "L2 entry", entryAt);
    } finally {
      inflater.end();
    }
  }

  private long l2Offset(int l1Index) throws FormatException {
    long off = l1[l1Index] & OFFSET_MASK;
    if (off != 0 && (off % clusterSize != 0 || off + clusterSize > fileSize
        || off < clusterSize)) {
      throw new FormatException("L2 table at " + off + " is outside the file or unaligned",
          "L1 entry " + l1Index, header.l1TableOffset() + 8L * l1Index);
    }
    return off;
  }

  private long[] loadL2(long l2Offset, int l1Index) throws IOException {
    if (l2Offset != cachedL2Offset) {
      ByteBuffer b = ByteBuffer.allocate(clusterSize);
      FileRegions.readFully(channel, b, l2Offset);
      b.flip();
      for (int i = 0; i < l2Entries; i++) {
        cachedL2[i] = b.getLong();
      }
      cachedL2Offset = l2Offset;
    }
    return cachedL2;
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      if (backing != null) {
        backing.close();
      }
    }
  }

  private static boolean hasQcow2Magic(Path file) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.READ)) {
      return new Qcow2Codec().recognises(dev.kiln.formats.FileHead.read(ch));
    }
  }
}
