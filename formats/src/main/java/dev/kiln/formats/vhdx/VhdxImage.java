package dev.kiln.formats.vhdx;

import static dev.kiln.formats.vhdx.VhdxLayout.MIB;

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
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Reads dynamic and fixed VHDX files without a parent: picks the valid header with the highest
 * sequence number, checks region tables and metadata, and follows BAT entries only after
 * checking them against the file. Files with a log to replay are refused rather than read
 * inconsistently.
 */
public final class VhdxImage implements DiskImage {
  private final Path file;
  private final FileChannel ch;
  private final long fileSize;
  private final long size;
  private final int blockSize;
  private final int logicalSector;
  private final long batOffset;
  private final long[] bat;
  private final List<String> notes;

  private VhdxImage(Path file, FileChannel ch, long size, int blockSize, int logicalSector,
      long batOffset, long[] bat, List<String> notes) throws IOException {
    this.file = file;
    this.ch = ch;
    this.fileSize = ch.size();
    this.size = size;
    this.blockSize = blockSize;
    this.logicalSector = logicalSector;
    this.batOffset = batOffset;
    this.bat = bat;
    this.notes = notes;
  }

  public static VhdxImage open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      return read(file, ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static VhdxImage read(Path file, FileChannel ch) throws IOException {
    long fileSize = ch.size();
    List<String> notes = new ArrayList<>();
    ByteBuffer id = FileRegions.read(ch, 0, 8, fileSize, ByteOrder.LITTLE_ENDIAN);
    if (!ascii(id, 0, 8).equals("vhdxfile")) {
      throw new FormatException("not a VHDX file", "signature", 0);
    }
    ByteBuffer h1 = validHeader(ch, VhdxLayout.HEADER_1, fileSize, notes);
    ByteBuffer h2 = validHeader(ch, VhdxLayout.HEADER_2, fileSize, notes);
    if (h1 == null && h2 == null) {
      throw new FormatException("neither header is valid", "header", VhdxLayout.HEADER_1);
    }
    ByteBuffer h = h2 == null || (h1 != null && h1.getLong(8) > h2.getLong(8)) ? h1 : h2;
    if (!VhdxGuids.get(h, 48).equals(new UUID(0, 0))) {
      throw new UnsupportedFeatureException("the log must be replayed first (open the disk "
          + "once in Hyper-V or qemu)", "LogGuid", VhdxLayout.HEADER_1 + 48);
    }
    ByteBuffer regions = validRegionTable(ch, VhdxLayout.REGION_TABLE_1, fileSize, notes);
    if (regions == null) {
      regions = validRegionTable(ch, VhdxLayout.REGION_TABLE_2, fileSize, notes);
    }
    if (regions == null) {
      throw new FormatException("neither region table is valid", "region table",
          VhdxLayout.REGION_TABLE_1);
    }
    int count = regions.getInt(8);
    if (count > 2047) {
      throw new FormatException("region entry count " + count, "EntryCount",
          VhdxLayout.REGION_TABLE_1 + 8);
    }
    long batAt = -1;
    long batLen = 0;
    long metaAt = -1;
    long metaLen = 0;
    for (int i = 0; i < count; i++) {
      int e = 16 + 32 * i;
      UUID guid = VhdxGuids.get(regions, e);
      long off = regions.getLong(e + 16);
      long len = Integer.toUnsignedLong(regions.getInt(e + 24));
      boolean required = (regions.getInt(e + 28) & 1) != 0;
      if (off % MIB != 0) {
        throw new FormatException("region " + guid + " is not aligned to 1 MiB",
            "region entry " + i, VhdxLayout.REGION_TABLE_1 + e);
      }
      Bounds.region("region entry " + i, VhdxLayout.REGION_TABLE_1 + e, off, len, fileSize);
      if (guid.equals(VhdxGuids.BAT_REGION)) {
        batAt = off;
        batLen = len;
      } else if (guid.equals(VhdxGuids.METADATA_REGION)) {
        metaAt = off;
        metaLen = len;
      } else if (required) {
        throw new UnsupportedFeatureException("unknown required region " + guid,
            "region entry " + i, VhdxLayout.REGION_TABLE_1 + e);
      }
    }
    if (batAt < 0 || metaAt < 0) {
      throw new FormatException("BAT or metadata region missing", "region table",
          VhdxLayout.REGION_TABLE_1);
    }
    // MS-VHDX 2.6.1: a 32-byte table header and up to 2047 32-byte entries lead the region
    Bounds.range("metadata region length", VhdxLayout.REGION_TABLE_1, metaLen, 64 << 10,
        Bounds.MAX_TABLE_BYTES, "metadata region length");
    ByteBuffer meta = FileRegions.read(ch, metaAt, (int) metaLen, fileSize,
        ByteOrder.LITTLE_ENDIAN);
    if (!ascii(meta, 0, 8).equals("metadata")) {
      throw new FormatException("no metadata table signature", "metadata", metaAt);
    }
    int items = Short.toUnsignedInt(meta.getShort(10));
    long diskSize = -1;
    int blockSize = -1;
    int logical = -1;
    for (int i = 0; i < items && 32 + 32 * (i + 1) <= meta.limit(); i++) {
      int e = 32 + 32 * i;
      UUID item = VhdxGuids.get(meta, e);
      int off = meta.getInt(e + 16);
      int len = meta.getInt(e + 20);
      long itemLen = Integer.toUnsignedLong(len);
      long need = item.equals(VhdxGuids.FILE_PARAMETERS) || item.equals(VhdxGuids.VIRTUAL_DISK_SIZE)
          ? 8 : item.equals(VhdxGuids.LOGICAL_SECTOR_SIZE) ? 4 : 0;
      if (itemLen < need) {
        throw new FormatException("metadata item " + item + " is " + itemLen + " bytes, "
            + "shorter than its " + need + "-byte value", "metadata entry " + i, metaAt + e);
      }
      Bounds.region("metadata entry " + i, metaAt + e, Integer.toUnsignedLong(off), itemLen,
          meta.limit());
      if (item.equals(VhdxGuids.FILE_PARAMETERS)) {
        blockSize = meta.getInt(off);
        if ((meta.getInt(off + 4) & 2) != 0) {
          throw new UnsupportedFeatureException("differencing VHDX (HasParent)",
              "file parameters", metaAt + off + 4);
        }
      } else if (item.equals(VhdxGuids.VIRTUAL_DISK_SIZE)) {
        diskSize = meta.getLong(off);
      } else if (item.equals(VhdxGuids.LOGICAL_SECTOR_SIZE)) {
        logical = meta.getInt(off);
      }
    }
    if (blockSize < (1 << 20) || blockSize > (256 << 20) || Integer.bitCount(blockSize) != 1) {
      throw new FormatException("block size " + blockSize + " invalid", "BlockSize", metaAt);
    }
    if (logical != 512 && logical != 4096) {
      throw new FormatException("logical sector size " + logical, "LogicalSectorSize", metaAt);
    }
    if (diskSize < 0 || diskSize > (64L << 40)) {
      throw new FormatException("virtual disk size " + diskSize + " is absurd",
          "VirtualDiskSize", metaAt);
    }
    long entries = VhdxLayout.batEntries(diskSize, blockSize, logical);
    if (entries * 8 > batLen) {
      throw new FormatException("BAT region too small for the disk", "BAT region", batAt);
    }
    int batBytes = Bounds.table("BAT region", VhdxLayout.REGION_TABLE_1, batAt, entries, 8,
        fileSize);
    ByteBuffer batBuf = FileRegions.read(ch, batAt, batBytes, fileSize,
        ByteOrder.LITTLE_ENDIAN);
    long[] bat = new long[(int) entries];
    for (int i = 0; i < entries; i++) {
      bat[i] = batBuf.getLong(i * 8);
    }
    refuseSharedBlocks(bat, batAt, diskSize, blockSize, logical, fileSize);
    return new VhdxImage(file, ch, diskSize, blockSize, logical, batAt, bat, notes);
  }

  /**
   * Each payload block may be referenced by one BAT entry: BAT entries sharing a block would
   * let a small file claim a disk's worth of data. Blocks outside the file are reported when
   * read.
   */
  private static void refuseSharedBlocks(long[] bat, long batAt, long diskSize, int blockSize,
      int logical, long fileSize) throws IOException {
    Claims claims = new Claims(fileSize, (int) MIB);
    long blocks = VhdxLayout.payloadBlocks(diskSize, blockSize);
    for (long b = 0; b < blocks; b++) {
      long index = VhdxLayout.batIndex(b, blockSize, logical);
      long e = bat[(int) index];
      if ((e & 7) != VhdxLayout.PAYLOAD_BLOCK_FULLY_PRESENT) {
        continue;
      }
      long host = (e >>> 20) * MIB;
      if (host >= 3 * MIB && host <= fileSize - blockSize && !claims.claim(host, blockSize)) {
        throw new FormatException("payload block " + b + " at offset " + host + " is also "
            + "another block's (each block may be referenced once)", "BAT entry " + b,
            batAt + 8 * index);
      }
    }
  }

  private static ByteBuffer validHeader(FileChannel ch, long at, long fileSize,
      List<String> notes) throws IOException {
    ByteBuffer h = FileRegions.read(ch, at, VhdxLayout.HEADER_SIZE, fileSize,
        ByteOrder.LITTLE_ENDIAN);
    if (!ascii(h, 0, 4).equals("head") || !crcOk(h)) {
      notes.add("header at " + at + " is invalid (signature or CRC-32C)");
      return null;
    }
    return h;
  }

  private static ByteBuffer validRegionTable(FileChannel ch, long at, long fileSize,
      List<String> notes) throws IOException {
    ByteBuffer r = FileRegions.read(ch, at, VhdxLayout.REGION_TABLE_SIZE, fileSize,
        ByteOrder.LITTLE_ENDIAN);
    if (!ascii(r, 0, 4).equals("regi") || !crcOk(r)) {
      notes.add("region table at " + at + " is invalid (signature or CRC-32C)");
      return null;
    }
    return r;
  }

  private static boolean crcOk(ByteBuffer b) {
    int stored = b.getInt(4);
    ByteBuffer copy = ByteBuffer.allocate(b.capacity());
    copy.put(b.duplicate().clear()).clear();
    copy.putInt(4, 0);
    CRC32C crc = new CRC32C();
    crc.update(copy);
    return (int) crc.getValue() == stored;
  }

  /** Problems found while opening that reading could work around (a bad second copy). */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  public int blockSize() {
    return blockSize;
  }

  @Override
  public ImageFormat format() {
    return ImageFormat.VHDX;
  }

  @Override
  public long virtualSize() {
    return size;
  }

  @Override
  public long allocatedBytes() throws IOException {
    return RawImage.allocatedBytes(file);
  }

  private long entry(long block) {
    return bat[(int) VhdxLayout.batIndex(block, blockSize, logicalSector)];
  }

  @Override
  public List<Extent> dataExtents() {
    List<Extent> out = new ArrayList<>();
    long blocks = VhdxLayout.payloadBlocks(size, blockSize);
    for (long b = 0; b < blocks; b++) {
      int state = (int) (entry(b) & 7);
      if (state == VhdxLayout.PAYLOAD_BLOCK_FULLY_PRESENT
          || state == VhdxLayout.PAYLOAD_BLOCK_PARTIALLY_PRESENT) {
        long start = b * blockSize;
        long len = Math.min(blockSize, size - start);
        Extent.appendMerged(out, start, len);
      }
    }
    return out;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      if (offset >= size) {
        Extent.zeroFill(dst);
        return;
      }
      long block = offset / blockSize;
      int within = (int) (offset % blockSize);
      int n = (int) Math.min(Math.min(dst.remaining(), blockSize - within), size - offset);
      long e = entry(block);
      int state = (int) (e & 7);
      if (state == VhdxLayout.PAYLOAD_BLOCK_PARTIALLY_PRESENT) {
        throw new UnsupportedFeatureException("partially present blocks (differencing disks)",
            "BAT entry " + block, batOffset);
      }
      if (state == VhdxLayout.PAYLOAD_BLOCK_FULLY_PRESENT) {
        long host = (e >>> 20) * MIB;
        if (host < 3 * MIB || host + blockSize > fileSize) {
          throw new FormatException("payload block " + block + " at " + host
              + " is outside the file", "BAT entry " + block, batOffset
              + 8 * VhdxLayout.batIndex(block, blockSize, logicalSector));
        }
        ByteBuffer slice = dst.slice().limit(n);
        long pos = host + within;
        while (slice.hasRemaining()) {
          pos += ch.read(slice, pos);
        }
        dst.position(dst.position() + n);
      } else {
        for (int i = 0; i < n; i++) {
          dst.put((byte) 0);
        }
      }
      offset += n;
    }
  }

  private static String ascii(ByteBuffer b, int at, int len) {
    byte[] out = new byte[len];
    b.get(at, out);
    return new String(out, StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
