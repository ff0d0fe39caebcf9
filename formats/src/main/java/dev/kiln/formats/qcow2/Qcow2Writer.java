package dev.kiln.formats.qcow2;

import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.CoalescingWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a qcow2 image in one forward pass. Data clusters are appended as they arrive; each L2
 * table is written as soon as the guest offset moves past its range; the L1 table and the
 * refcount structures go at the end and the header is written last. So memory holds the L1
 * table, one L2 table, a refcount per host cluster (2 bytes each) and the compression queue —
 * not the disk.
 *
 * <p>With compression, clusters are deflated on a thread pool; results are appended in guest
 * order from a bounded queue, so the output is identical for any thread count.
 */
public final class Qcow2Writer implements DiskWriter {
  private static final long COPIED = 1L << 63;
  private static final long COMPRESSED = 1L << 62;
  private static final int CLUSTER_BITS = 16;
  private static final int CLUSTER = 1 << CLUSTER_BITS;
  private static final int L2_ENTRIES = CLUSTER / 8;
  private static final long L2_COVERAGE = (long) CLUSTER * L2_ENTRIES;
  /** 16-bit refcounts: entries per refcount block, entries per refcount table cluster. */
  private static final int REFCOUNTS_PER_BLOCK = CLUSTER / 2;
  private static final int BLOCKS_PER_TABLE_CLUSTER = CLUSTER / 8;

  private final AtomicFile file;
  private final FileChannel out;
  private final CoalescingWriter data;
  private final Qcow2Options options;
  private final long size;
  private final long[] l1;
  private final long[] l2 = new long[L2_ENTRIES];
  private int l2Index = -1;
  private long end = CLUSTER; // cluster 0 holds the header
  private char[] refcounts = new char[1024];
  private final ExecutorService pool;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final int queueLimit;
  private long lastOffset = -1;

  private record Pending(long guestOffset, ByteBuffer raw, Future<byte[]> compressed) {}

  private Qcow2Writer(AtomicFile file, long size, Qcow2Options options) {
    this.file = file;
    this.out = file.channel();
    this.data = new CoalescingWriter(out);
    this.options = options;
    this.size = size;
    this.l1 = new long[(int) Math.max(1, (size + L2_COVERAGE - 1) / L2_COVERAGE)];
    this.pool = options.compressed() ? Executors.newFixedThreadPool(options.threads(), r -> {
      Thread t = new Thread(r, "kiln-qcow2-deflate");
      t.setDaemon(true);
      return t;
    }) : null;
    this.queueLimit = options.threads() * 8;
    refcounts[0] = 1;
  }

  /**
   * Starts writing {@code destination} (as {@code destination.partial} until finished); the
   * virtual size is rounded up to a whole sector.
   */
  public static Qcow2Writer create(Path destination, long virtualSize, Qcow2Options options)
      throws IOException {
    if (virtualSize < 0) {
      throw new IllegalArgumentException("negative virtual size: " + virtualSize);
    }
    dev.kiln.formats.FormatLimits.check(dev.kiln.formats.ImageFormat.QCOW2, Qcow2Codec.MAX_VIRTUAL_SIZE,
        virtualSize);
    // qemu sees disks in whole sectors and would drop a partial last one: round up, as
    // qemu-img convert does.
    long size = (virtualSize + 511) & ~511L;
    return new Qcow2Writer(AtomicFile.create(destination), size, options);
  }

  @Override
  public int grainSize() {
    return CLUSTER;
  }

  @Override
  public void writeGrain(long offset, ByteBuffer data) throws IOException {
    if (offset % CLUSTER != 0 || offset <= lastOffset || offset >= size) {
      throw new IllegalArgumentException("grains must come in increasing, aligned order: "
          + offset);
    }
    lastOffset = offset;
    if (pool == null) {
      appendNormal(offset, data);
      return;
    }
    ByteBuffer copy = ByteBuffer.allocate(CLUSTER);
    copy.put(data.duplicate()).clear(); // a short last grain is zero-padded to a full cluster
    Future<byte[]> f = pool.submit(() -> ClusterCompressor.compress(copy.duplicate(), CLUSTER));
    queue.add(new Pending(offset, copy, f));
    while (queue.size() > queueLimit) {
      drainOne();
    }
  }

  /** Uncompressed runs go out in one write per L2 range; compressed ones grain by grain. */
  @Override
  public void writeRun(long offset, ByteBuffer run) throws IOException {
    if (pool != null) {
      DiskWriter.super.writeRun(offset, run);
      return;
    }
    if (offset % CLUSTER != 0 || offset <= lastOffset || offset >= size) {
      throw new IllegalArgumentException("runs must come in increasing, aligned order: "
          + offset);
    }
    int done = 0;
    while (done < run.remaining()) {
      long guest = offset + done;
      long l2End = (guest / L2_COVERAGE + 1) * L2_COVERAGE;
      int n = (int) Math.min(run.remaining() - done, l2End - guest);
      selectL2(guest);
      alignEnd();
      long host = end;
      data.write(run.slice(run.position() + done, n), host);
      int clusters = (n + CLUSTER - 1) / CLUSTER;
      if (n % CLUSTER != 0) { // a short last grain is zero-padded to a full cluster
        data.writeZeros(clusters * CLUSTER - n, host + n);
      }
      for (int c = 0; c < clusters; c++) {
        l2[(int) (((guest + (long) c * CLUSTER) % L2_COVERAGE) / CLUSTER)] =
            (host + (long) c * CLUSTER) | COPIED;
      }
      ref(host, (long) clusters * CLUSTER);
      end += (long) clusters * CLUSTER;
      lastOffset = guest + (long) (clusters - 1) * CLUSTER;
      done += n;
    }
  }

  private void drainOne() throws IOException {
    Pending p = queue.poll();
    byte[] compressed;
    try {
      compressed = p.compressed().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("compression failed", e.getCause());
    }
    if (compressed == null) {
      appendNormal(p.guestOffset(), p.raw());
    } else {
      appendCompressed(p.guestOffset(), compressed);
    }
  }

  private void appendNormal(long guestOffset, ByteBuffer cluster) throws IOException {
    selectL2(guestOffset);
    alignEnd();
    long host = end;
    int len = cluster.remaining();
    data.write(cluster, host);
    if (len < CLUSTER) { // a short last grain is zero-padded to a full cluster
      data.writeZeros(CLUSTER - len, host + len);
    }
    end += CLUSTER;
    ref(host, CLUSTER);
    l2[(int) ((guestOffset % L2_COVERAGE) / CLUSTER)] = host | COPIED;
  }

  private void appendCompressed(long guestOffset, byte[] data) throws IOException {
    selectL2(guestOffset);
    long host = end;
    this.data.write(ByteBuffer.wrap(data), host);
    end += data.length;
    ref(host, data.length);
    // Descriptor (spec "Compressed Clusters Descriptor"): x = 62 - (cluster_bits - 8) bits of
    // host offset, then the number of additional 512-byte sectors the data spans.
    long sectors = ((host + data.length - 1) >> 9) - (host >> 9);
    l2[(int) ((guestOffset % L2_COVERAGE) / CLUSTER)] =
        COMPRESSED | (sectors << (62 - (CLUSTER_BITS - 8))) | host;
  }

  /** Makes the L2 table covering {@code guestOffset} current, writing out the previous one. */
  private void selectL2(long guestOffset) throws IOException {
    int index = (int) (guestOffset / L2_COVERAGE);
    if (index != l2Index) {
      flushL2();
      l2Index = index;
    }
  }

  private void flushL2() throws IOException {
    if (l2Index < 0) {
      return;
    }
    alignEnd();
    ByteBuffer b = ByteBuffer.allocate(CLUSTER);
    for (long e : l2) {
      b.putLong(e);
    }
    b.flip();
    long host = end;
    data.write(b, host);
    end += CLUSTER;
    ref(host, CLUSTER);
    l1[l2Index] = host | COPIED;
    Arrays.fill(l2, 0);
    l2Index = -1;
  }

  private void alignEnd() {
    end = (end + CLUSTER - 1) & ~(long) (CLUSTER - 1);
  }

  /** Counts one reference for every host cluster that {@code [host, host+len)} touches. */
  private void ref(long host, long len) {
    int first = (int) (host >>> CLUSTER_BITS);
    int last = (int) ((host + len - 1) >>> CLUSTER_BITS);
    if (last >= refcounts.length) {
      refcounts = Arrays.copyOf(refcounts, Math.max(last + 1, refcounts.length * 2));
    }
    for (int c = first; c <= last; c++) {
      refcounts[c]++;
    }
  }

  private void writeFully(ByteBuffer b, long position) throws IOException {
    while (b.hasRemaining()) {
      position += out.write(b, position);
    }
  }

  @Override
  public void finish() throws IOException {
    while (!queue.isEmpty()) {
      drainOne();
    }
    flushL2();
    data.flush();
    alignEnd();
    // L1 table
    long l1Offset = end;
    ByteBuffer l1Buf = ByteBuffer.allocate(l1.length * 8);
    for (long e : l1) {
      l1Buf.putLong(e);
    }
    l1Buf.flip();
    writeFully(l1Buf, l1Offset);
    long l1Clusters = (l1.length * 8L + CLUSTER - 1) / CLUSTER;
    end += l1Clusters * CLUSTER;
    ref(l1Offset, l1Clusters * CLUSTER);
    // Refcount table and blocks must also count themselves: find the fixpoint.
    long used = end / CLUSTER;
    long blocks = 0;
    long tableClusters = 0;
    while (true) {
      long total = used + tableClusters + blocks;
      long needBlocks = (total + REFCOUNTS_PER_BLOCK - 1) / REFCOUNTS_PER_BLOCK;
      long needTable = (needBlocks + BLOCKS_PER_TABLE_CLUSTER - 1) / BLOCKS_PER_TABLE_CLUSTER;
      if (needBlocks == blocks && needTable == tableClusters) {
        break;
      }
      blocks = needBlocks;
      tableClusters = needTable;
    }
    long tableOffset = end;
    long blocksOffset = tableOffset + tableClusters * CLUSTER;
    ref(tableOffset, (tableClusters + blocks) * CLUSTER);
    long totalClusters = used + tableClusters + blocks;
    ByteBuffer table = ByteBuffer.allocate((int) (tableClusters * CLUSTER));
    for (long i = 0; i < blocks; i++) {
      table.putLong(blocksOffset + i * CLUSTER);
    }
    table.clear();
    writeFully(table, tableOffset);
    ByteBuffer block = ByteBuffer.allocate(CLUSTER);
    for (long i = 0; i < blocks; i++) {
      block.clear();
      for (int j = 0; j < REFCOUNTS_PER_BLOCK; j++) {
        long c = i * REFCOUNTS_PER_BLOCK + j;
        block.putShort(c < totalClusters && c < refcounts.length ? (short) refcounts[(int) c]
            : 0);
      }
      block.flip();
      writeFully(block, blocksOffset + i * CLUSTER);
    }
    end = blocksOffset + blocks * CLUSTER;
    int version = options.version();
    Qcow2Header header = new Qcow2Header(version, CLUSTER_BITS, size, l1.length, l1Offset,
        tableOffset, (int) tableClusters, 0, 4,
        version == 3 ? Qcow2Header.V3_HEADER_LENGTH : Qcow2Header.V2_HEADER_LENGTH);
    ByteBuffer h = ByteBuffer.allocate(CLUSTER);
    header.write(h);
    h.clear();
    writeFully(h, 0);
    out.truncate(end);
    file.commit();
  }

  @Override
  public void close() throws IOException {
    if (pool != null) {
      pool.shutdownNow();
    }
    file.close();
  }
}
