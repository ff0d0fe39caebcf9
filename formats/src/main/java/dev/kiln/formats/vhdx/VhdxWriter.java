package dev.kiln.formats.vhdx;

import static dev.kiln.formats.vhdx.VhdxLayout.BAT_OFFSET;
import static dev.kiln.formats.vhdx.VhdxLayout.HEADER_SIZE;
import static dev.kiln.formats.vhdx.VhdxLayout.LOGICAL_SECTOR;
import static dev.kiln.formats.vhdx.VhdxLayout.LOG_LENGTH;
import static dev.kiln.formats.vhdx.VhdxLayout.LOG_OFFSET;
import static dev.kiln.formats.vhdx.VhdxLayout.METADATA_LENGTH;
import static dev.kiln.formats.vhdx.VhdxLayout.METADATA_OFFSET;
import static dev.kiln.formats.vhdx.VhdxLayout.MIB;
import static dev.kiln.formats.vhdx.VhdxLayout.REGION_TABLE_SIZE;

import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.CoalescingWriter;
import dev.kiln.formats.io.NonZeroRuns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * Writes a dynamic VHDX (MS-VHDX 1.0): file identifier, two valid headers, two region tables
 * (BAT and metadata, both required), an empty log, the metadata items Hyper-V requires, and a
 * BAT with a sector-bitmap entry after every chunk. Payload blocks that are all zero are not
 * stored, and the zero parts of stored blocks are holes in the file; everything is 1 MiB
 * aligned. All integers are little-endian.
 */
public final class VhdxWriter implements DiskWriter {
  /** What the converter hands over at a time: a part of a payload block. */
  private static final int GRAIN = 1 << 20;
  /** Zero detection inside payload blocks works on filesystem blocks. */
  private static final int SPARSE_PIECE = 4096;
  /** Zero stretches at least this long are left as holes. */
  private static final int SMALLEST_HOLE = 64 << 10;
  private final AtomicFile file;
  private final FileChannel out;
  private final CoalescingWriter writes;
  private final VhdxOptions options;
  private final long size;
  private final int blockSize;
  private final long[] bat;
  private final long batLength;
  private long end;
  private long lastOffset = -1;

  private VhdxWriter(AtomicFile file, long size, VhdxOptions options) {
    this.file = file;
    this.out = file.channel();
    this.writes = new CoalescingWriter(out);
    this.options = options;
    this.size = size;
    this.blockSize = options.blockSize();
    long entries = VhdxLayout.batEntries(size, blockSize, LOGICAL_SECTOR);
    if (entries > (1 << 27)) {
      throw new IllegalArgumentException("disk too large for block size " + blockSize);
    }
    this.bat = new long[(int) entries];
    this.batLength = Math.max(MIB, VhdxLayout.alignMib(entries * 8));
    this.end = BAT_OFFSET + batLength;
  }

  /**
   * Starts writing {@code destination}; the size is rounded up to a whole logical sector (512
   * bytes), which is all MS-VHDX asks (VirtualDiskSize "must be a multiple of the
   * LogicalSectorSize"), and what qemu-img keeps: rounding further would move a guest's last
   * LBA and with it a GPT's backup header. (7-Zip 22 refuses VHDX sizes with an odd number of
   * sectors; Hyper-V, qemu and libvhdi read them.)
   */
  public static VhdxWriter create(Path destination, long virtualSize, VhdxOptions options)
      throws IOException {
    long size = (virtualSize + LOGICAL_SECTOR - 1) / LOGICAL_SECTOR * LOGICAL_SECTOR;
    dev.kiln.formats.FormatLimits.check(dev.kiln.formats.ImageFormat.VHDX, VhdxCodec.MAX_VIRTUAL_SIZE,
        size);
    return new VhdxWriter(AtomicFile.create(destination), size, options);
  }

  /**
   * A payload block is handed over in 1 MiB grains rather than whole: the converter reads and
   * writes a grain at a time, and a 32 MiB block is larger than the CPU caches its copies
   * should stay in. Block sizes are whole MiB (1 to 256), so grains never straddle blocks.
   */
  @Override
  public int grainSize() {
    return GRAIN;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) throws IOException {
    if (offset % GRAIN != 0 || offset <= lastOffset || offset >= size) {
      throw new IllegalArgumentException("grains must come in increasing, aligned order: "
          + offset);
    }
    lastOffset = offset;
    long block = offset / blockSize;
    int entry = (int) VhdxLayout.batIndex(block, blockSize, LOGICAL_SECTOR);
    if (bat[entry] == 0) { // the block's first data: allocate all of it at the end of the file
      bat[entry] = (end / MIB) << 20 | VhdxLayout.PAYLOAD_BLOCK_FULLY_PRESENT;
      end += blockSize;
    }
    long blockStart = bat[entry] >>> 20 << 20;
    writeSparse(data, blockStart + offset % blockSize);
  }

  /**
   * Writes the data of a grain and leaves its empty stretches as holes: a block is allocated
   * whole (32 MiB), but the file's holes read as zeros, so only data reaches the disk — a disk
   * image's blocks are often mostly empty filesystem space. Zero stretches shorter than
   * {@link #SMALLEST_HOLE} are written: one write instead of many small ones. (The last
   * block's tail past the data is a hole too; {@link #finish()} sets the length.)
   */
  private void writeSparse(ByteBuffer data, long at) throws IOException {
    int base = data.position();
    NonZeroRuns.forEach(data, SPARSE_PIECE, SMALLEST_HOLE,
        (start, end) -> writes.write(data.slice(base + start, end - start), at + start));
  }

  @Override
  public void finish() throws IOException {
    writes.flush();
    writeFully(fileIdentifier(), 0);
    ByteBuffer header = header(0);
    writeFully(header, VhdxLayout.HEADER_1);
    writeFully(header(1), VhdxLayout.HEADER_2);
    ByteBuffer regions = regionTable();
    writeFully(regions.duplicate(), VhdxLayout.REGION_TABLE_1);
    writeFully(regions, VhdxLayout.REGION_TABLE_2);
    writeFully(metadata(), METADATA_OFFSET);
    ByteBuffer b = le(bat.length * 8);
    for (long e : bat) {
      b.putLong(e);
    }
    writeFully(b.flip(), BAT_OFFSET);
    // the log region (1-2 MiB) stays zero: LogGuid is zero, so there is nothing to replay
    out.truncate(end);
    if (out.size() < end) {
      writeFully(ByteBuffer.allocate(1), end - 1);
    }
    file.commit();
  }

  private ByteBuffer fileIdentifier() {
    ByteBuffer b = le(64 << 10);
    b.put("vhdxfile".getBytes(StandardCharsets.US_ASCII));
    b.put("Kiln".getBytes(StandardCharsets.UTF_16LE));
    return b.clear();
  }

  /** Header with the given sequence number; readers use the valid one with the highest. */
  private ByteBuffer header(long sequence) {
    ByteBuffer b = le(HEADER_SIZE);
    b.put("head".getBytes(StandardCharsets.US_ASCII)).putInt(0).putLong(sequence);
    VhdxGuids.put(b, options.derived("file-write"));
    VhdxGuids.put(b, options.derived("data-write"));
    VhdxGuids.put(b, new UUID(0, 0)); // LogGuid: no log entries to replay
    b.putShort((short) 0).putShort((short) 1) // LogVersion, Version
        .putInt((int) LOG_LENGTH).putLong(LOG_OFFSET);
    return withCrc(b.clear(), 4);
  }

  private ByteBuffer regionTable() {
    ByteBuffer b = le(REGION_TABLE_SIZE);
    b.put("regi".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(2).putInt(0);
    VhdxGuids.put(b, VhdxGuids.BAT_REGION);
    b.putLong(BAT_OFFSET).putInt((int) batLength).putInt(1); // required
    VhdxGuids.put(b, VhdxGuids.METADATA_REGION);
    b.putLong(METADATA_OFFSET).putInt((int) METADATA_LENGTH).putInt(1);
    return withCrc(b.clear(), 4);
  }

  private ByteBuffer metadata() {
    ByteBuffer b = le((int) METADATA_LENGTH);
    b.put("metadata".getBytes(StandardCharsets.US_ASCII)).putShort((short) 0)
        .putShort((short) 5).position(32);
    int items = 64 << 10;
    final int required = 1 << 2;
    final int virtualDisk = 1 << 1;
    entry(b, VhdxGuids.FILE_PARAMETERS, items, 8, required);
    entry(b, VhdxGuids.VIRTUAL_DISK_SIZE, items + 8, 8, required | virtualDisk);
    entry(b, VhdxGuids.PAGE_83_DATA, items + 16, 16, required | virtualDisk);
    entry(b, VhdxGuids.LOGICAL_SECTOR_SIZE, items + 32, 4, required | virtualDisk);
    entry(b, VhdxGuids.PHYSICAL_SECTOR_SIZE, items + 36, 4, required | virtualDisk);
    b.position(items);
    b.putInt(blockSize).putInt(0); // flags: blocks may be unallocated, no parent
    b.putLong(size);
    VhdxGuids.put(b, options.derived("page83"));
    b.putInt(LOGICAL_SECTOR).putInt(VhdxLayout.PHYSICAL_SECTOR);
    return b.clear();
  }

  private static void entry(ByteBuffer b, UUID item, int offset, int length, int flags) {
    VhdxGuids.put(b, item);
    b.putInt(offset).putInt(length).putInt(flags).putInt(0);
  }

  /** Stores the CRC-32C of the whole buffer (checksum field zero) at {@code at}. */
  static ByteBuffer withCrc(ByteBuffer b, int at) {
    b.putInt(at, 0);
    CRC32C crc = new CRC32C();
    crc.update(b.duplicate());
    b.putInt(at, (int) crc.getValue());
    return b;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private void writeFully(ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      position += out.write(b, position);
    }
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
