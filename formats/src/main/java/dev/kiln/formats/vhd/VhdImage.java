package dev.kiln.formats.vhd;

import dev.kiln.formats.Bounds;
import dev.kiln.formats.Claims;
import dev.kiln.formats.DiskImage;
import dev.kiln.formats.Extent;
import dev.kiln.formats.FileRegions;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.UnsupportedFeatureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads fixed and dynamic VHDs. Dynamic blocks honour their sector bitmaps (a clear bit reads as
 * zero). Differencing disks are refused. Every BAT entry is checked before it is followed.
 */
public final class VhdImage implements DiskImage {
  static final long MAX_SIZE = 64L << 40;
  private static final int UNUSED = 0xFFFFFFFF;

  private final Path file;
  private final FileChannel ch;
  private final long fileSize;
  private final VhdFooter footer;
  private final int blockSize;
  private final int bitmapBytes;
  private final long batOffset;
  private final int[] bat;
  private long cachedBlock = -1;
  private final byte[] cachedBitmap;

  private VhdImage(Path file, FileChannel ch, VhdFooter footer, int blockSize, long batOffset,
      int[] bat) throws IOException {
    this.file = file;
    this.ch = ch;
    this.fileSize = ch.size();
    this.footer = footer;
    this.blockSize = blockSize;
    this.bitmapBytes = blockSize == 0 ? 0 : (int) align512(blockSize / 512 / 8);
    this.batOffset = batOffset;
    this.bat = bat;
    this.cachedBitmap = new byte[bitmapBytes];
  }

  public static VhdImage open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      if (size < VhdFooter.SIZE) {
        throw new FormatException("file too short for a VHD footer", "footer", 0);
      }
      VhdFooter footer = VhdFooter.read(FileRegions.read(ch, size - 512, 512, size,
          ByteOrder.BIG_ENDIAN), size - 512);
      if (footer.currentSize() < 0 || footer.currentSize() > MAX_SIZE) {
        throw new FormatException("current size " + footer.currentSize() + " is absurd",
            "current_size", size - 512 + 48);
      }
      if (footer.diskType() == VhdFooter.DISK_TYPE_FIXED) {
        if (footer.currentSize() > size - 512) {
          throw new FormatException("fixed VHD shorter than its current size", "current_size",
              size - 512 + 48);
        }
        return new VhdImage(file, ch, footer, 0, 0, new int[0]);
      }
      if (footer.diskType() != VhdFooter.DISK_TYPE_DYNAMIC) {
        throw new UnsupportedFeatureException("VHD disk type " + footer.diskType()
            + " (differencing disks are not supported)", "disk_type", size - 512 + 60);
      }
      long headerAt = footer.dataOffset();
      if (headerAt < 512 || headerAt + 1024 > size) {
        throw new FormatException("dynamic header outside the file", "data_offset",
            size - 512 + 16);
      }
      ByteBuffer hdr = FileRegions.read(ch, headerAt, 1024, size, ByteOrder.BIG_ENDIAN);
      if (!new String(hdr.array(), 0, 8, StandardCharsets.US_ASCII).equals("cxsparse")) {
        throw new FormatException("no dynamic header cookie", "cookie", headerAt);
      }
      if (hdr.getInt(36) != VhdChecksum.of(hdr, 0, 1024, 36)) {
        throw new FormatException("dynamic header checksum mismatch", "checksum", headerAt + 36);
      }
      long tableOffset = hdr.getLong(16);
      int entries = hdr.getInt(28);
      int blockSize = hdr.getInt(32);
      if (blockSize < 512 || blockSize > (256 << 20) || Integer.bitCount(blockSize) != 1) {
        throw new FormatException("block size " + blockSize + " is not a power of two in "
            + "512..256 MiB", "block_size", headerAt + 32);
      }
      long needed = (footer.currentSize() + blockSize - 1) / blockSize;
      if (entries < needed || entries > (64 << 20)) {
        throw new FormatException("max_table_entries " + entries + " does not fit the disk",
            "max_table_entries", headerAt + 28);
      }
      int batBytes = Bounds.table("table_offset", headerAt + 16, tableOffset, entries, 4, size);
      ByteBuffer batBuf = FileRegions.read(ch, tableOffset, batBytes, size,
          ByteOrder.BIG_ENDIAN);
      int[] bat = new int[entries];
      for (int i = 0; i < entries; i++) {
        bat[i] = batBuf.getInt(i * 4);
      }
      refuseSharedBlocks(bat, tableOffset, blockSize, size);
      return new VhdImage(file, ch, footer, blockSize, tableOffset, bat);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * Two BAT entries on one block (or overlapping blocks) would let a small file claim a disk's
   * worth of data: each block may be referenced once. Blocks past the end of the data are left
   * for the read (and the checker) to report.
   */
  private static void refuseSharedBlocks(int[] bat, long tableOffset, int blockSize,
      long fileSize) throws IOException {
    long blockBytes = align512(blockSize / 512 / 8) + blockSize;
    Claims claims = new Claims(fileSize, 512);
    for (int i = 0; i < bat.length; i++) {
      if (bat[i] == UNUSED) {
        continue;
      }
      long at = Integer.toUnsignedLong(bat[i]) * 512;
      if (at + blockBytes <= fileSize - 512 && !claims.claim(at, blockBytes)) {
        throw new FormatException("block " + i + " at offset " + at + " overlaps another "
            + "block (each block may be referenced once)", "BAT entry " + i,
            tableOffset + 4L * i);
      }
    }
  }

  public VhdFooter footer() {
    return footer;
  }

  public boolean isDynamic() {
    return blockSize > 0;
  }

  public int blockSize() {
    return blockSize;
  }

  /** The BAT (sector offsets; -1 = absent) and where it lies; empty for fixed disks. */
  int[] bat() {
    return bat.clone();
  }

  long batOffset() {
    return batOffset;
  }

  int bitmapBytes() {
    return bitmapBytes;
  }

  @Override
  public ImageFormat format() {
    return ImageFormat.VHD;
  }

  @Override
  public long virtualSize() {
    return footer.currentSize();
  }

  @Override
  public long allocatedBytes() throws IOException {
    return RawImage.allocatedBytes(file);
  }

  @Override
  public List<Extent> dataExtents() {
    List<Extent> out = new ArrayList<>();
    long size = virtualSize();
    if (!isDynamic()) {
      if (size > 0) {
        out.add(new Extent(0, size));
      }
      return out;
    }
    for (int i = 0; i < bat.length; i++) {
      long start = (long) i * blockSize;
      if (bat[i] != UNUSED && start < size) {
        long len = Math.min(blockSize, size - start);
        Extent.appendMerged(out, start, len);
      }
    }
    return out;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    long size = virtualSize();
    while (dst.hasRemaining()) {
      if (offset >= size) {
        Extent.zeroFill(dst);
        return;
      }
      if (!isDynamic()) {
        int n = (int) Math.min(dst.remaining(), size - offset);
        ByteBuffer slice = dst.slice().limit(n);
        FileRegions.readFully(ch, slice, offset);
        dst.position(dst.position() + n);
        offset += n;
        continue;
      }
      int block = (int) (offset / blockSize);
      int within = (int) (offset % blockSize);
      int sectorLeft = 512 - within % 512;
      int n = (int) Math.min(Math.min(dst.remaining(), sectorLeft), size - offset);
      if (bat[block] == UNUSED || !sectorPresent(block, within / 512)) {
        for (int i = 0; i < n; i++) {
          dst.put((byte) 0);
        }
      } else {
        long data = Integer.toUnsignedLong(bat[block]) * 512 + bitmapBytes + within;
        ByteBuffer slice = dst.slice().limit(n);
        FileRegions.readFully(ch, slice, data);
        dst.position(dst.position() + n);
      }
      offset += n;
    }
  }

  private boolean sectorPresent(int block, int sector) throws IOException {
    if (cachedBlock != block) {
      long at = Integer.toUnsignedLong(bat[block]) * 512;
      if (at + bitmapBytes + blockSize > fileSize) {
        throw new FormatException("block " + block + " at " + at + " extends past the end of "
            + "the file", "BAT entry " + block, batOffset + 4L * block);
      }
      ByteBuffer b = ByteBuffer.wrap(cachedBitmap);
      FileRegions.readFully(ch, b, at);
      cachedBlock = block;
    }
    return (cachedBitmap[sector / 8] & (0x80 >>> (sector % 8))) != 0;
  }

  static long align512(long n) {
    return (n + 511) & ~511L;
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
