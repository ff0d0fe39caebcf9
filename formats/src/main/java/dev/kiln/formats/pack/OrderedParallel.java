package dev.kiln.formats.pack;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs compression tasks on a fixed pool and hands their results to a sink in submission
 * order, holding at most {@code 2 × threads} results in memory.
 */
final class OrderedParallel implements AutoCloseable {
  /** Receives results in order: {@code bytes[0..length)}. */
  interface Sink {
    void accept(byte[] bytes, int length) throws IOException;
  }

  /**
   * A task's result: {@code bytes[0..length)}. A recyclable one's array is handed to the
   * recycler once the sink has taken it, for the next task to fill.
   */
  record Piece(byte[] bytes, int length, boolean recyclable) {
    static Piece of(byte[] bytes) {
      return new Piece(bytes, bytes.length, false);
    }
  }

  private final ExecutorService pool;
  private final ArrayDeque<Future<Piece>> queue = new ArrayDeque<>();
  private final int limit;
  private final Sink sink;
  private final java.util.function.Consumer<byte[]> recycler;

  OrderedParallel(int threads, Sink sink) {
    this(threads, sink, bytes -> { });
  }

  OrderedParallel(int threads, Sink sink, java.util.function.Consumer<byte[]> recycler) {
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "kiln-pack");
      t.setDaemon(true);
      return t;
    });
    this.limit = threads * 2;
    this.sink = sink;
    this.recycler = recycler;
  }

  void submit(Callable<Piece> task) throws IOException {
    queue.add(pool.submit(task));
    while (queue.size() > limit) {
      drainOne();
    }
  }

  void drain() throws IOException {
    while (!queue.isEmpty()) {
      drainOne();
    }
  }

  private void drainOne() throws IOException {
    try {
      Piece piece = queue.poll().get();
      sink.accept(piece.bytes(), piece.length());
      if (piece.recyclable()) {
        recycler.accept(piece.bytes());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io
          : new IOException("compression failed", e.getCause());
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
