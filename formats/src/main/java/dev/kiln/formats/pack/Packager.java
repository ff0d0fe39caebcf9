package dev.kiln.formats.pack;

import dev.kiln.formats.bzip2.Bzip2Encoder;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.Converter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Packages a finished image for download — {@code .bz2}, {@code .gz} or {@code .zip} — with
 * compression on all cores (bzip2 by Kiln's own {@link Bzip2Encoder}), and computes
 * MD5/SHA-256/SHA-512 of the bytes as written. Output appears under its final name only when
 * whole.
 *
 * <p>Parallelism without changing the formats' readers: bzip2 and xz output is a sequence of
 * independent streams (as pbzip2 and pixz write; bzip2, lbzip2, xz and 7-Zip read them as one
 * file);
 * gzip and zip hold one deflate stream made of chunks compressed in parallel, each primed with
 * the previous chunk's last 32 KiB and ended with a sync flush (as pigz does), so any inflater
 * reads it unchanged.
 */
public final class Packager {
  static final int BZIP2_CHUNK = 9 * 900_000;
  /** Room for a bzip2 stream of one chunk of incompressible data (about 0.5% larger). */
  static final int BZIP2_OUTPUT_BOUND = BZIP2_CHUNK + BZIP2_CHUNK / 64 + 1024;
  static final int DEFLATE_CHUNK = 1 << 20;
  static final int DICTIONARY = 32 << 10;
  static final int XZ_CHUNK = 16 << 20;
  /** LZMA2 preset: 3 keeps each encoder near 32 MiB of heap, so all cores fit in 256 MiB. */
  static final int XZ_PRESET = 3;

  private final int threads;
  private final Instant modified;
  private final java.util.Set<String> algorithms;

  /**
   * @param threads compression threads
   * @param modified the time written into gzip and zip headers (pin it for reproducible output)
   */
  public Packager(int threads, Instant modified) {
    this(threads, modified, Checksums.ALL);
  }

  /**
   * @param algorithms the checksums of the packaged file (a subset of
   *     {@link Checksums#ALGORITHMS}, may be empty): computed on the bytes as they are written
   *     for compressed packaging, by one read of the finished file for {@link Packaging#NONE}
   */
  public Packager(int threads, Instant modified, java.util.Set<String> algorithms) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    this.threads = threads;
    this.modified = modified;
    this.algorithms = java.util.Set.copyOf(algorithms);
  }

  /**
   * Writes {@code image} packaged as {@code packaging} to {@code destination}; with
   * {@link Packaging#NONE} the image is moved there. {@code progress} receives input bytes done.
   */
  public PackagedFile pack(Path image, Path destination, Packaging packaging,
      LongConsumer progress) throws IOException {
    switch (packaging) {
      case NONE:
        if (!image.equals(destination)) {
          Files.move(image, destination, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return new PackagedFile(destination, Files.size(destination), checksum(destination, algorithms));
      case BZIP2: {
        // encoders keep ~30 MB of arrays between blocks: one per thread at work, dropped
        // with this call
        java.util.Queue<Bzip2Encoder> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();
        return chunked(image, destination, progress, BZIP2_CHUNK, (chunk, length, spare) -> {
          Bzip2Encoder encoder = idle.poll();
          if (encoder == null) {
            encoder = new Bzip2Encoder();
          }
          int size = encoder.encode(chunk, 0, length);
          byte[] out = spare.poll();
          if (out == null || out.length < size) {
            int bound = Math.min(BZIP2_OUTPUT_BOUND, length + length / 64 + 1024);
            out = new byte[Math.max(size, bound)];
          }
          encoder.copyTo(out);
          idle.add(encoder);
          return new OrderedParallel.Piece(out, size, true);
        });
      }
      case GZIP:
        return gzip(image, destination, progress);
      case ZIP:
        return zip(image, destination, progress);
      case XZ:
        return chunked(image, destination, progress, XZ_CHUNK,
            (chunk, length, spare) -> OrderedParallel.Piece.of(xz(chunk, length)));
      default:
        throw new AssertionError(packaging);
    }
  }

  /** The checksums of an existing file, in one read. */
  public static java.util.Map<String, String> checksum(Path file) throws IOException {
    return checksum(file, Checksums.ALL);
  }

  /** The chosen checksums of an existing file, in one read (none: no read at all). */
  public static java.util.Map<String, String> checksum(Path file,
      java.util.Set<String> algorithms) throws IOException {
    if (algorithms.isEmpty()) {
      return java.util.Map.of();
    }
    Checksums sums = new Checksums(algorithms);
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        sums.update(buf, 0, n);
      }
    }
    return sums.finish();
  }

  private PackagedFile gzip(Path image, Path destination, LongConsumer progress)
      throws IOException {
    try (AtomicFile out = AtomicFile.create(destination)) {
      DigestingSink sink = new DigestingSink(out.channel(), algorithms);
      byte[] header = {0x1f, (byte) 0x8b, 8, 0, mtime(0), mtime(8), mtime(16), mtime(24), 0,
          3}; // ID1 ID2 CM=deflate FLG MTIME XFL OS=unix
      sink.accept(header, header.length);
      long[] crcAndSize = deflateChunks(image, sink, progress);
      ByteBuffer trailer = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      trailer.putInt((int) crcAndSize[0]).putInt((int) crcAndSize[1]);
      sink.accept(trailer.array(), 8);
      out.commit();
      return new PackagedFile(destination, sink.written, sink.sums.finish());
    }
  }

  /** Appends results to the output file, counting them and digesting them as they go. */
  private static final class DigestingSink implements OrderedParallel.Sink {
    final Checksums sums;
    final FileChannel channel;
    long written;

    DigestingSink(FileChannel channel, java.util.Set<String> algorithms) {
      this.channel = channel;
      this.sums = new Checksums(algorithms);
    }

    @Override
    public void accept(byte[] bytes, int length) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
      while (b.hasRemaining()) {
        channel.write(b);
      }
      sums.update(bytes, 0, length);
      written += length;
    }
  }

  private byte mtime(int shift) {
    return (byte) ((modified.getEpochSecond() & 0xffffffffL) >>> shift);
  }

  /**
   * Compresses {@code data[0..length)} into one complete stream, into an array from
   * {@code spare} when one is there and large enough (output arrays of megabytes allocated
   * per chunk are humongous objects to G1: each starts a marking cycle in a small heap).
   */
  private interface ChunkCompressor {
    OrderedParallel.Piece compress(byte[] data, int length, java.util.Queue<byte[]> spare);
  }

  /**
   * Independent streams of {@code chunk} bytes compressed in parallel and concatenated (both
   * the bzip2 and the xz format define a file as a sequence of streams). All-zero chunks —
   * disk images are mostly holes — reuse one stream compressed once per length. Input buffers
   * are recycled: chunks of megabytes allocated per chunk keep the collector busy in a small
   * heap.
   */
  private PackagedFile chunked(Path image, Path destination, LongConsumer progress, int chunk,
      ChunkCompressor compressor) throws IOException {
    try (AtomicFile out = AtomicFile.create(destination)) {
      DigestingSink sink = new DigestingSink(out.channel(), algorithms);
      java.util.Map<Integer, OrderedParallel.Piece> zeroChunks = new java.util.HashMap<>();
      java.util.Queue<byte[]> spareOutputs = new java.util.concurrent.ConcurrentLinkedQueue<>();
      // a buffer for each thread at work, one queued and one being read: enough to keep every
      // thread busy; more would only add to the heap the collector scans
      java.util.concurrent.BlockingQueue<byte[]> free =
          new java.util.concurrent.LinkedBlockingQueue<>();
      int buffers = 0;
      try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
          OrderedParallel pipeline = new OrderedParallel(threads, sink, spareOutputs::add)) {
        long size = in.size();
        long pos = 0;
        do {
          byte[] data = free.poll();
          if (data == null) {
            if (buffers < threads + 2) {
              data = new byte[(int) Math.min(chunk, size)];
              buffers++;
            } else {
              data = takeBuffer(free);
            }
          }
          int length = (int) Math.min(chunk, size - pos);
          readFully(in, pos, data, length);
          if (Converter.isZero(ByteBuffer.wrap(data, 0, length))) {
            OrderedParallel.Piece packed = zeroChunks.computeIfAbsent(length, n -> {
              OrderedParallel.Piece p = compressor.compress(new byte[n], n, spareOutputs);
              return new OrderedParallel.Piece(p.bytes(), p.length(), false); // kept: reused
            });
            free.add(data);
            pipeline.submit(() -> packed);
          } else {
            byte[] buffer = data;
            pipeline.submit(() -> {
              try {
                return compressor.compress(buffer, length, spareOutputs);
              } finally {
                free.add(buffer);
              }
            });
          }
          pos += length;
          progress.accept(pos);
        } while (pos < size);
        pipeline.drain();
      }
      out.commit();
      return new PackagedFile(destination, sink.written, sink.sums.finish());
    }
  }

  private static byte[] takeBuffer(java.util.concurrent.BlockingQueue<byte[]> free)
      throws IOException {
    try {
      return free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while packaging");
    }
  }

  private static void readFully(FileChannel in, long pos, byte[] into, int length)
      throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into, 0, length);
    while (b.hasRemaining()) {
      if (in.read(b, pos + b.position()) < 0) {
        throw new IOException("input shrank while packaging");
      }
    }
  }

  private static byte[] xz(byte[] chunk, int length) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(length / 4 + 64);
    try (org.tukaani.xz.XZOutputStream xz = new org.tukaani.xz.XZOutputStream(buf,
        new org.tukaani.xz.LZMA2Options(XZ_PRESET))) {
      xz.write(chunk, 0, length);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // in-memory streams do not fail
    }
    return buf.toByteArray();
  }



  /** Writes one raw deflate stream of {@code image}; returns its CRC-32 and length mod 2^32. */
  private long[] deflateChunks(Path image, OrderedParallel.Sink sink, LongConsumer progress)
      throws IOException {
    CRC32 crc = new CRC32();
    try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
        OrderedParallel pipeline = new OrderedParallel(threads, sink)) {
      long size = in.size();
      byte[] previous = null;
      long pos = 0;
      do {
        int len = (int) Math.min(DEFLATE_CHUNK, size - pos);
        byte[] chunk = readChunk(in, pos, len);
        crc.update(chunk);
        byte[] dictionary = previous == null ? null
            : Arrays.copyOfRange(previous, Math.max(0, previous.length - DICTIONARY),
                previous.length);
        boolean last = pos + len >= size;
        pipeline.submit(() -> OrderedParallel.Piece.of(deflate(chunk, dictionary, last)));
        previous = chunk;
        pos += len;
        progress.accept(pos);
      } while (pos < size);
      pipeline.drain();
      return new long[] {crc.getValue(), size & 0xffffffffL};
    }
  }

  private static byte[] deflate(byte[] chunk, byte[] dictionary, boolean last) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      if (dictionary != null) {
        d.setDictionary(dictionary);
      }
      d.setInput(chunk);
      ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length / 2 + 64);
      byte[] buf = new byte[64 << 10];
      if (last) {
        d.finish();
        while (!d.finished()) {
          out.write(buf, 0, d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
        }
      } else {
        int n;
        do { // ends on a byte boundary with BFINAL clear, so the next chunk can follow
          n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
          out.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  private PackagedFile zip(Path image, Path destination, LongConsumer progress)
      throws IOException {
    Path deflated = dev.kiln.formats.io.TemporaryFiles.register(
        destination.resolveSibling(destination.getFileName() + ".deflate.partial"));
    try (AtomicFile out = AtomicFile.create(destination)) {
      long[] crcAndSize;
      long compressed;
      try (FileChannel tmp = FileChannel.open(deflated, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        crcAndSize = deflateChunks(image, (bytes, length) -> {
          ByteBuffer b = ByteBuffer.wrap(bytes, 0, length);
          while (b.hasRemaining()) {
            tmp.write(b);
          }
        }, progress);
        compressed = tmp.size();
      }
      // the member is named as the user expects: x.vhd inside x.vhd.zip, whatever the
      // intermediate file's name
      ZipArchiveEntry entry = new ZipArchiveEntry(Packaging.ZIP.strip(
          destination.getFileName().toString()));
      entry.setMethod(ZipEntry.DEFLATED);
      entry.setCrc(crcAndSize[0]);
      entry.setSize(Files.size(image));
      entry.setCompressedSize(compressed);
      entry.setLastModifiedTime(FileTime.from(modified));
      try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out.channel());
          InputStream raw = Files.newInputStream(deflated)) {
        zip.setUseZip64(Zip64Mode.AsNeeded);
        zip.addRawArchiveEntry(entry, raw);
        zip.finish();
        out.channel().force(true);
      }
      // ZipArchiveOutputStream closed the channel; reopen-free commit: move the partial file
      out.commit();
    } finally {
      dev.kiln.formats.io.TemporaryFiles.delete(deflated);
    }
    return new PackagedFile(destination, Files.size(destination), checksum(destination, algorithms));
  }

  private static byte[] readChunk(FileChannel in, long pos, int len) throws IOException {
    byte[] chunk = new byte[len];
    readFully(in, pos, chunk, len);
    return chunk;
  }
}
