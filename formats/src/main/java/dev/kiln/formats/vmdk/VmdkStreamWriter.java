package dev.kiln.formats.vmdk;

import static dev.kiln.formats.vmdk.VmdkConstants.GRAIN_SECTORS;
import static dev.kiln.formats.vmdk.VmdkConstants.GRAIN_SIZE;
import static dev.kiln.formats.vmdk.VmdkConstants.NUM_GTES_PER_GT;
import static dev.kiln.formats.vmdk.VmdkConstants.SECTOR;

import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.CoalescingWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;

/**
 * Writes a stream-optimized VMDK in VMware's layout, the one 7-Zip and ESXi insist on: header
 * with the grain directory "at end", an embedded descriptor, then for every non-zero grain a
 * grain marker and its zlib stream; a GT marker and table after each 512-grain group that holds
 * data; the GD marker and directory; a footer marker with a copy of the header pointing at the
 * directory; and the end-of-stream marker. Grains are deflated on all cores and written in
 * order, so the output is the same for any thread count. The file is written front to back.
 */
public final class VmdkStreamWriter implements DiskWriter {
  private final AtomicFile file;
  private final CoalescingWriter out;
  private final VmdkOptions options;
  private final long capacitySectors;
  private final long[] gd;
  private final int[] gt = new int[NUM_GTES_PER_GT];
  private long gtIndex = -1;
  private long position; // bytes written so far
  private long lastOffset = -1;
  private long populated;
  private final ExecutorService pool;
  private final ArrayDeque<Future<byte[]>> queue = new ArrayDeque<>();
  private final ArrayDeque<Long> queueOffsets = new ArrayDeque<>();

  private VmdkStreamWriter(AtomicFile file, long capacitySectors, VmdkOptions options)
      throws IOException {
    this.file = file;
    this.out = new CoalescingWriter(file.channel());
    this.options = options;
    this.capacitySectors = capacitySectors;
    long grains = (capacitySectors + GRAIN_SECTORS - 1) / GRAIN_SECTORS;
    this.gd = new long[(int) ((grains + NUM_GTES_PER_GT - 1) / NUM_GTES_PER_GT)];
    this.pool = Executors.newFixedThreadPool(options.threads(), r -> {
      Thread t = new Thread(r, "kiln-vmdk-deflate");
      t.setDaemon(true);
      return t;
    });
    writeHead();
  }

  /** Starts writing {@code destination}; the capacity is rounded up to a whole sector. */
  public static VmdkStreamWriter create(Path destination, long virtualSize, VmdkOptions options)
      throws IOException {
    if (virtualSize < 0) {
      throw new IllegalArgumentException("negative VMDK capacity: " + virtualSize);
    }
    dev.kiln.formats.FormatLimits.check(dev.kiln.formats.ImageFormat.VMDK, VmdkCodec.MAX_VIRTUAL_SIZE,
        virtualSize);
    return new VmdkStreamWriter(AtomicFile.create(destination),
        (virtualSize + SECTOR - 1) / SECTOR, options);
  }

  /** Bytes of guest data stored (for the OVF's populatedSize). */
  public long populatedSize() {
    return populated;
  }

  /** The virtual disk's capacity in bytes. */
  public long capacity() {
    return capacitySectors * SECTOR;
  }

  private VmdkHeader header(long gdOffset) {
    return new VmdkHeader(VmdkConstants.VERSION, VmdkConstants.FLAG_VALID_NEW_LINE_DETECTION
        | VmdkConstants.FLAG_COMPRESSED | VmdkConstants.FLAG_MARKERS, capacitySectors,
        GRAIN_SECTORS, 1, descriptorSectors(), NUM_GTES_PER_GT, 0, gdOffset,
        VmdkConstants.OVERHEAD_SECTORS, VmdkConstants.COMPRESSION_DEFLATE);
  }

  private String descriptor() {
    long cylinders = Math.min(65535, capacitySectors / (255 * 63));
    return String.join("\n",
        "# Disk DescriptorFile",
        "version=1",
        String.format(Locale.ROOT, "CID=%08x", options.contentId()),
        "parentCID=ffffffff",
        "createType=\"streamOptimized\"",
        "",
        "# Extent description",
        "RW " + capacitySectors + " SPARSE \"" + options.extentFileName() + "\"",
        "",
        "# The Disk Data Base",
        "#DDB",
        "",
        "ddb.adapterType = \"" + options.adapterType() + "\"",
        "ddb.geometry.cylinders = \"" + cylinders + "\"",
        "ddb.geometry.heads = \"255\"",
        "ddb.geometry.sectors = \"63\"",
        "ddb.toolsInstallType = \"4\"",
        "ddb.toolsVersion = \"2147483647\"",
        "ddb.virtualHWVersion = \"" + options.virtualHwVersion() + "\"",
        "") + "\n";
  }

  private long descriptorSectors() {
    return (descriptor().getBytes(StandardCharsets.US_ASCII).length + SECTOR - 1) / SECTOR;
  }

  private void writeHead() throws IOException {
    out.write(header(VmdkConstants.GD_AT_END).write(), 0);
    ByteBuffer d = ByteBuffer.allocate((int) (descriptorSectors() * SECTOR));
    d.put(descriptor().getBytes(StandardCharsets.US_ASCII)).clear();
    out.write(d, SECTOR);
    position = (long) VmdkConstants.OVERHEAD_SECTORS * SECTOR;
    out.writeZeros((int) (position - SECTOR - d.capacity()), SECTOR + d.capacity());
  }

  @Override
  public int grainSize() {
    return GRAIN_SIZE;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) throws IOException {
    if (offset % GRAIN_SIZE != 0 || offset <= lastOffset || offset >= capacity()) {
      throw new IllegalArgumentException("grains must come in increasing, aligned order: "
          + offset);
    }
    lastOffset = offset;
    byte[] grain = new byte[GRAIN_SIZE]; // a short last grain inflates to a full one
    data.duplicate().get(grain, 0, data.remaining());
    populated += data.remaining();
    queue.add(pool.submit(() -> deflate(grain)));
    queueOffsets.add(offset);
    while (queue.size() > options.threads() * 8) {
      drainOne();
    }
  }

  private static byte[] deflate(byte[] grain) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION); // zlib (RFC 1950) framing
    try {
      d.setInput(grain);
      d.finish();
      ByteArrayOutputStream o = new ByteArrayOutputStream(GRAIN_SIZE / 2);
      byte[] buf = new byte[GRAIN_SIZE];
      while (!d.finished()) {
        o.write(buf, 0, d.deflate(buf));
      }
      return o.toByteArray();
    } finally {
      d.end();
    }
  }

  private void drainOne() throws IOException {
    byte[] packed;
    long offset = queueOffsets.poll();
    try {
      packed = queue.poll().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("compression failed", e.getCause());
    }
    long lba = offset / SECTOR;
    long group = lba / GRAIN_SECTORS / NUM_GTES_PER_GT;
    if (group != gtIndex) {
      flushGt();
      gtIndex = group;
    }
    gt[(int) (lba / GRAIN_SECTORS % NUM_GTES_PER_GT)] = (int) (position / SECTOR);
    ByteBuffer m = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    m.putLong(lba).putInt(packed.length).flip();
    out.write(m, position);
    out.write(ByteBuffer.wrap(packed), position + 12);
    long len = 12 + packed.length;
    long padded = (len + SECTOR - 1) / SECTOR * SECTOR;
    out.writeZeros((int) (padded - len), position + len);
    position += padded;
  }

  /** Writes the pending grain table with its marker and records it in the directory. */
  private void flushGt() throws IOException {
    if (gtIndex < 0) {
      return;
    }
    marker(4, VmdkConstants.MARKER_GT);
    gd[(int) gtIndex] = position / SECTOR;
    ByteBuffer t = ByteBuffer.allocate(NUM_GTES_PER_GT * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int e : gt) {
      t.putInt(e);
    }
    out.write(t.flip(), position);
    position += t.capacity();
    java.util.Arrays.fill(gt, 0);
    gtIndex = -1;
  }

  /** A 512-byte metadata marker: numSectors, size 0, type. */
  private void marker(long numSectors, int type) throws IOException {
    ByteBuffer m = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    m.putLong(numSectors).putInt(0).putInt(type);
    out.write(m.clear(), position);
    position += SECTOR;
  }

  @Override
  public void finish() throws IOException {
    while (!queue.isEmpty()) {
      drainOne();
    }
    flushGt();
    long gdSectors = (gd.length * 4L + SECTOR - 1) / SECTOR;
    marker(gdSectors, VmdkConstants.MARKER_GD);
    long gdOffset = position / SECTOR;
    ByteBuffer g = ByteBuffer.allocate((int) (gdSectors * SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
    for (long e : gd) {
      g.putInt((int) e);
    }
    out.write(g.clear(), position);
    position += g.capacity();
    marker(1, VmdkConstants.MARKER_FOOTER);
    out.write(header(gdOffset).write(), position);
    position += SECTOR;
    out.write(ByteBuffer.allocate(SECTOR), position); // end-of-stream marker
    position += SECTOR;
    out.flush();
    file.channel().truncate(position);
    file.commit();
  }

  @Override
  public void close() throws IOException {
    pool.shutdownNow();
    file.close();
  }
}
