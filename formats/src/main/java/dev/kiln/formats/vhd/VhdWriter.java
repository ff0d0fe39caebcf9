package dev.kiln.formats.vhd;

import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.CoalescingWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes a VHD that XenServer's {@code vhd-util check} and qemu accept: exact current size
 * (rounded up to a sector), the specification's CHS geometry, creator {@code tap} version
 * 1.1 (qemu 7.2 then trusts current_size; tap ≥ 1.2 would need a batmap), valid checksums.
 *
 * <p>Dynamic: footer copy at 0, dynamic header at 512, BAT at 1536, then 2 MiB blocks each
 * preceded by a 512-byte sector bitmap (all ones), then the footer. Blocks that are all zero are
 * not stored. Fixed: the raw data with holes for zeros, then the footer.
 */
public final class VhdWriter implements DiskWriter {
  public static final int BLOCK_SIZE = 2 << 20;
  private static final long VHD_EPOCH = Instant.parse("2000-01-01T00:00:00Z").getEpochSecond();
  private static final long BAT_OFFSET = 1536;
  private static final int FIXED_GRAIN = 64 << 10;
  private static final int DYNAMIC_GRAIN = 1 << 20;
  private static final String CREATOR = "tap\0";
  private static final int CREATOR_VERSION = 0x00010001;

  /** Every stored block is fully present: a sector bitmap of all ones, as qemu writes. */
  private static final ByteBuffer BITMAP = allOnes();

  private final AtomicFile file;
  private final FileChannel out;
  private final CoalescingWriter writes;
  private final VhdOptions options;
  private final long size;
  private final int[] bat;
  private long end;
  private long lastOffset = -1;

  private VhdWriter(AtomicFile file, long size, VhdOptions options) {
    this.file = file;
    this.out = file.channel();
    this.writes = new CoalescingWriter(out);
    this.options = options;
    this.size = size;
    if (options.dynamic()) {
      this.bat = new int[(int) ((size + BLOCK_SIZE - 1) / BLOCK_SIZE)];
      Arrays.fill(bat, -1);
      this.end = BAT_OFFSET + align512(bat.length * 4L);
    } else {
      this.bat = null;
      this.end = size;
    }
  }

  /**
   * Starts writing {@code destination}; {@code virtualSize} is rounded up to a whole sector and
   * must fit the VHD limit of 2040 GiB.
   */
  public static VhdWriter create(Path destination, long virtualSize, VhdOptions options)
      throws IOException {
    long size = align512(virtualSize);
    dev.kiln.formats.FormatLimits.check(dev.kiln.formats.ImageFormat.VHD, VhdCodec.MAX_VIRTUAL_SIZE,
        size);
    return new VhdWriter(AtomicFile.create(destination), size, options);
  }

  /**
   * A dynamic disk's 2 MiB blocks are handed over in 1 MiB grains: the converter reads and
   * writes a grain at a time, and smaller pieces stay in the CPU caches between its copies.
   */
  @Override
  public int grainSize() {
    return options.dynamic() ? DYNAMIC_GRAIN : FIXED_GRAIN;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) throws IOException {
    if (offset % grainSize() != 0 || offset <= lastOffset || offset >= size) {
      throw new IllegalArgumentException("grains must come in increasing, aligned order: "
          + offset);
    }
    lastOffset = offset;
    if (!options.dynamic()) {
      writes.write(data, offset);
      return;
    }
    int block = (int) (offset / BLOCK_SIZE);
    if (bat[block] == -1) { // the block's first data: its bitmap and all of it, at the end
      bat[block] = (int) (end / 512);
      writes.write(BITMAP.duplicate(), end);
      end += 512 + BLOCK_SIZE;
    }
    // a grain not written (all zero, or past a short disk's end) stays a hole: reads as zeros
    writes.write(data, bat[block] * 512L + 512 + offset % BLOCK_SIZE);
  }

  /** A fixed VHD is raw data: a run is one write. */
  @Override
  public void writeRun(long offset, ByteBuffer data) throws IOException {
    if (options.dynamic()) {
      DiskWriter.super.writeRun(offset, data);
    } else {
      if (offset % grainSize() != 0 || offset <= lastOffset || offset >= size) {
        throw new IllegalArgumentException("runs must come in increasing, aligned order: "
            + offset);
      }
      writes.write(data, offset);
      lastOffset = offset + data.remaining() - 1;
    }
  }

  @Override
  public void finish() throws IOException {
    writes.flush();
    long seconds = Math.max(0, options.timestamp().getEpochSecond() - VHD_EPOCH);
    VhdGeometry chs = VhdGeometry.of(size);
    int type = options.dynamic() ? VhdFooter.DISK_TYPE_DYNAMIC : VhdFooter.DISK_TYPE_FIXED;
    VhdFooter footer = new VhdFooter(options.dynamic() ? 512 : -1L, seconds, CREATOR,
        CREATOR_VERSION, size, size, chs, type, options.uniqueId());
    ByteBuffer f = ByteBuffer.allocate(VhdFooter.SIZE);
    footer.write(f);
    if (options.dynamic()) {
      writeFully(f.clear(), 0);
      ByteBuffer header = ByteBuffer.allocate(1024);
      writeDynamicHeader(header);
      writeFully(header.clear(), 512);
      ByteBuffer batBuf = ByteBuffer.allocate((int) align512(bat.length * 4L));
      Arrays.fill(batBuf.array(), (byte) 0xff);
      for (int e : bat) {
        batBuf.putInt(e);
      }
      writeFully(batBuf.clear(), BAT_OFFSET);
    }
    writeFully(f.clear(), end);
    out.truncate(end + VhdFooter.SIZE);
    file.commit();
  }

  /** The dynamic disk header ("Dynamic Disk Header Format"); no parent. */
  private void writeDynamicHeader(ByteBuffer b) {
    b.put("cxsparse".getBytes(StandardCharsets.US_ASCII)).putLong(-1L) // data offset: unused
        .putLong(BAT_OFFSET).putInt(0x00010000).putInt(bat.length).putInt(BLOCK_SIZE);
    int checksumAt = b.position();
    b.putInt(0);
    // parent UUID, timestamp, reserved, unicode name, locators: all zero
    b.putInt(checksumAt, VhdChecksum.of(b, 0, 1024));
  }

  private void writeFully(ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      position += out.write(b, position);
    }
  }

  private static ByteBuffer allOnes() {
    byte[] b = new byte[512];
    Arrays.fill(b, (byte) 0xff);
    return ByteBuffer.wrap(b).asReadOnlyBuffer();
  }

  private static long align512(long n) {
    return (n + 511) & ~511L;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
