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
  /** Receives results in order. */
  interface Sink {
    void accept(byte[] result) throws IOException;
  }

  private final ExecutorService pool;
  private final ArrayDeque<Future<byte[]>> queue = new ArrayDeque<>();
  private final int limit;
  private final Sink sink;

  OrderedParallel(int threads, Sink sink) {
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "kiln-pack");
      t.setDaemon(true);
      return t;
    });
    this.limit = threads * 2;
    this.sink = sink;
  }

  void submit(Callable<byte[]> task) throws IOException {
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
      sink.accept(queue.poll().get());
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
