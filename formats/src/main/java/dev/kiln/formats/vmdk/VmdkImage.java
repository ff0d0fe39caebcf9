package dev.kiln.formats.vmdk;

import static dev.kiln.formats.vmdk.VmdkConstants.SECTOR;

import dev.kiln.formats.Bounds;
import dev.kiln.formats.Claims;
import dev.kiln.formats.DiskImage;
import dev.kiln.formats.Extent;
import dev.kiln.formats.FileRegions;
import dev.kiln.formats.FormatException;
import dev.kiln.formats.ImageFormat;

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
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads hosted sparse VMDK extents: monolithicSparse (raw grains) and streamOptimized
 * (compressed grains with markers) in both VMware's layout (directory at the end, found through
 * the footer) and qemu's (directory up front). Every directory and table entry is checked
 * against the file before it is followed.
 */
public final class VmdkImage implements DiskImage {
  private final Path file;
  private final FileChannel ch;
  private final long fileSize;
  private final VmdkHeader header;
  private final boolean compressed;
  private final int grainBytes;
  private final long[] gd;
  private final String descriptor;
  private long cachedGtSector = -1;
  private final int[] cachedGt = new int[VmdkConstants.NUM_GTES_PER_GT];

  private VmdkImage(Path file, FileChannel ch, VmdkHeader header, long[] gd, String descriptor)
      throws IOException {
    this.file = file;
    this.ch = ch;
    this.fileSize = ch.size();
    this.header = header;
    this.compressed = (header.flags() & VmdkConstants.FLAG_COMPRESSED) != 0;
    this.grainBytes = (int) header.grainSize() * SECTOR;
    this.gd = gd;
    this.descriptor = descriptor;
  }

  public static VmdkImage open(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      VmdkHeader h = VmdkHeader.read(FileRegions.read(ch, 0, SECTOR, size,
          ByteOrder.LITTLE_ENDIAN), 0);
      if (h.gdOffset() == VmdkConstants.GD_AT_END) {
        if (size < 3 * SECTOR) {
          throw new FormatException("stream too short for a footer", "footer", size);
        }
        long footerAt = size - 2L * SECTOR;
        h = VmdkHeader.read(FileRegions.read(ch, footerAt, SECTOR, size, ByteOrder.LITTLE_ENDIAN),
            footerAt);
        if (h.gdOffset() == VmdkConstants.GD_AT_END) {
          throw new FormatException("footer does not locate the grain directory", "gdOffset",
              footerAt + 56);
        }
      }
      String descriptor = "";
      if (h.descriptorOffset() > 0 && h.descriptorSize() > 0 && h.descriptorSize() < 2048) {
        ByteBuffer d = FileRegions.read(ch, h.descriptorOffset() * SECTOR,
            (int) (h.descriptorSize() * SECTOR), size, ByteOrder.LITTLE_ENDIAN);
        descriptor = new String(d.array(), StandardCharsets.US_ASCII).replace("\0", "");
      }
      long grains = (h.capacity() + h.grainSize() - 1) / h.grainSize();
      long gdEntries = (grains + h.numGtesPerGt() - 1) / h.numGtesPerGt();
      if (h.gdOffset() < 0 || h.gdOffset() > size / SECTOR) {
        throw new FormatException("grain directory at sector " + h.gdOffset()
            + " lies past the end of the file", "gdOffset", 56);
      }
      int gdBytes = Bounds.table("gdOffset", 56, h.gdOffset() * SECTOR, gdEntries, 4, size);
      ByteBuffer g = FileRegions.read(ch, h.gdOffset() * SECTOR, gdBytes, size,
          ByteOrder.LITTLE_ENDIAN);
      long[] gd = new long[(int) gdEntries];
      for (int i = 0; i < gdEntries; i++) {
        gd[i] = Integer.toUnsignedLong(g.getInt(i * 4));
      }
      return new VmdkImage(file, ch, h, gd, descriptor);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The embedded descriptor text. */
  public String descriptor() {
    return descriptor;
  }

  /** {@code streamOptimized} or {@code monolithicSparse}, from the descriptor or flags. */
  public String createType() {
    for (String line : descriptor.split("\n")) {
      if (line.startsWith("createType=")) {
        return line.substring(11).replace("\"", "").trim();
      }
    }
    return compressed ? "streamOptimized" : "monolithicSparse";
  }

  @Override
  public ImageFormat format() {
    return ImageFormat.VMDK;
  }

  @Override
  public long virtualSize() {
    return header.capacity() * SECTOR;
  }

  @Override
  public long allocatedBytes() throws IOException {
    return RawImage.allocatedBytes(file);
  }

  private int[] gt(int gdIndex) throws IOException {
    long sector = gd[gdIndex];
    if (sector == 0) {
      return null;
    }
    if (sector != cachedGtSector) {
      ByteBuffer t = FileRegions.read(ch, sector * SECTOR, VmdkConstants.NUM_GTES_PER_GT * 4,
          fileSize, ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < cachedGt.length; i++) {
        cachedGt[i] = t.getInt(i * 4);
      }
      cachedGtSector = sector;
    }
    return cachedGt;
  }

  /**
   * The guest ranges with grains. Each grain table and each grain may be referenced once: a
   * raw grain claims all its sectors, a compressed one its first sector (so at most one grain
   * starts per sector of the file, and reading inflates at most {@code grainBytes / 512} times
   * the file's size). A shared table or grain is a {@link FormatException}.
   */
  @Override
  public List<Extent> dataExtents() throws IOException {
    List<Extent> out = new ArrayList<>();
    long size = virtualSize();
    Claims claims = new Claims(fileSize, SECTOR);
    for (int i = 0; i < gd.length; i++) {
      if (gd[i] != 0 && gd[i] < fileSize / SECTOR) {
        claims.claimOnce(gd[i] * SECTOR, VmdkConstants.NUM_GTES_PER_GT * 4L, "grain table",
            "grain directory entry " + i, -1);
      }
      int[] table = gt(i);
      if (table == null) {
        continue;
      }
      for (int j = 0; j < table.length; j++) {
        long start = ((long) i * table.length + j) * grainBytes;
        if (table[j] == 0 || start >= size) {
          continue;
        }
        long sector = Integer.toUnsignedLong(table[j]);
        if (sector > 1 && sector < fileSize / SECTOR) { // 1: a zeroed grain, no data
          claims.claimOnce(sector * SECTOR, compressed ? SECTOR : grainBytes, "grain",
              "grain table entry " + j + " of table " + i, gd[i] * SECTOR + 4L * j);
        }
        long len = Math.min(grainBytes, size - start);
        Extent.appendMerged(out, start, len);
      }
    }
    return out;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    byte[] grain = new byte[grainBytes];
    long size = virtualSize();
    while (dst.hasRemaining()) {
      if (offset >= size) {
        Extent.zeroFill(dst);
        return;
      }
      long g = offset / grainBytes;
      int within = (int) (offset % grainBytes);
      int n = (int) Math.min(Math.min(dst.remaining(), grainBytes - within), size - offset);
      readGrain(g, grain);
      dst.put(grain, within, n);
      offset += n;
    }
  }

  private void readGrain(long g, byte[] into) throws IOException {
    java.util.Arrays.fill(into, (byte) 0);
    int gdIndex = (int) (g / VmdkConstants.NUM_GTES_PER_GT);
    int[] table = gdIndex < gd.length ? gt(gdIndex) : null;
    if (table == null) {
      return;
    }
    long sector = Integer.toUnsignedLong(table[(int) (g % VmdkConstants.NUM_GTES_PER_GT)]);
    if (sector == 0 || sector == 1) { // 1: a zeroed grain (GTE of 1 in newer versions)
      return;
    }
    long at = sector * SECTOR;
    if (!compressed) {
      ByteBuffer b = FileRegions.read(ch, at, grainBytes, fileSize, ByteOrder.LITTLE_ENDIAN);
      b.get(into);
      return;
    }
    ByteBuffer m = FileRegions.read(ch, at, 12, fileSize, ByteOrder.LITTLE_ENDIAN);
    long lba = m.getLong(0);
    int len = m.getInt(8);
    if (lba != g * header.grainSize() || len <= 0 || len > grainBytes * 2) {
      throw new FormatException("grain marker at " + at + " says lba " + lba + ", size " + len,
          "grain marker", at);
    }
    ByteBuffer data = FileRegions.read(ch, at + 12, len, fileSize, ByteOrder.LITTLE_ENDIAN);
    Inflater inf = new Inflater();
    try {
      inf.setInput(data.array(), 0, len);
      int done = 0;
      while (done < into.length && !inf.finished()) {
        int k = inf.inflate(into, done, into.length - done);
        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        done += k;
      }
      if (done != into.length && done != (int) Math.min(into.length, virtualSize()
          - g * grainBytes)) {
        throw new FormatException("grain inflates to " + done + " bytes", "grain data", at + 12);
      }
    } catch (DataFormatException e) {
      throw new FormatException("grain is not a valid zlib stream: " + e.getMessage(),
          "grain data", at + 12);
    } finally {
      inf.end();
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }

}
