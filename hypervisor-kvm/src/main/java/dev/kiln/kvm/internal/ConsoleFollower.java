package dev.kiln.kvm.internal;

import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Follows the serial console file QEMU writes: every complete line becomes a
 * {@link KilnEvent.ConsoleLine}, is appended to the build's console log when there is one, and
 * the last lines are kept for diagnostics. Terminal escape sequences are stripped from events.
 */
public final class ConsoleFollower implements AutoCloseable {
  static final int KEPT_LINES = 500;

  /** Reads the console from a position: a local file, or a storage volume on a remote host. */
  public interface Source {
    /** Bytes at {@code position} into {@code buffer}; 0 when nothing new, never -1. */
    int read(long position, byte[] buffer) throws IOException;

    /** A local file (which may not exist yet). */
    static Source file(Path file) {
      return (position, buffer) -> {
        if (!Files.exists(file)) {
          return 0;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          int n = ch.read(ByteBuffer.wrap(buffer), position);
          return Math.max(n, 0);
        }
      };
    }
  }

  private final Source source;
  private final Optional<Path> copy;
  private final EventHandlers events;
  private final String buildId;
  private final String machine;
  private final ArrayDeque<String> tail = new ArrayDeque<>();
  /** The bytes of the line being read: decoded whole, as a UTF-8 character may span reads. */
  private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
  private final Thread thread;
  /** Polling interval: a local read is cheap, a remote one is a libvirt stream. */
  private final long pollMillis;
  private volatile boolean stopping;
  private long position;
  private volatile long bytesSeen;

  public ConsoleFollower(Source source, Optional<Path> copy, EventHandlers events, String buildId,
      String machine) {
    this.source = source;
    this.copy = copy;
    this.events = events;
    this.buildId = buildId;
    this.machine = machine;
    this.pollMillis = 200;
    this.thread = new Thread(this::run, "kiln-console-" + machine);
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The guest was restarted with an empty console file: read it from the start again. */
  public synchronized void rewind() {
    position = 0;
  }

  /** Bytes the guest has written to its console so far. */
  public long bytesSeen() {
    return bytesSeen;
  }

  public synchronized List<String> tail(int lines) {
    List<String> all = new ArrayList<>(tail);
    if (partial.size() > 0) {
      all.add(partial.toString(StandardCharsets.UTF_8));
    }
    return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private void run() {
    try (OutputStream log = copy.isPresent() ? Files.newOutputStream(copy.get(),
        StandardOpenOption.CREATE, StandardOpenOption.APPEND) : OutputStream.nullOutputStream()) {
      while (!stopping) {
        if (!poll(log)) {
          Thread.sleep(pollMillis);
        }
      }
      poll(log); // what the guest wrote last
      flushPartial();
    } catch (IOException | InterruptedException e) {
      // the machine is going away; the tail holds what was read
    }
  }

  /** Reads what is new; true when something was. */
  boolean poll(OutputStream log) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n;
    synchronized (this) {
      n = source.read(position, buf);
    }
    if (n <= 0) {
      return false;
    }
    position += n;
    bytesSeen += n;
    log.write(buf, 0, n);
    log.flush();
    accept(buf, n);
    return true;
  }

  /**
   * Splits at newline bytes (a 0x0A byte is never inside a UTF-8 sequence) and decodes each
   * line as UTF-8, what systemd and the kernel write ("…" in "Starting … job"); a byte that is
   * not UTF-8 becomes U+FFFD rather than a wrong character.
   */
  private synchronized void accept(byte[] buf, int n) {
    for (int i = 0; i < n; i++) {
      byte b = buf[i];
      if (b == '\n') {
        emit(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
      } else if (b != '\r') {
        partial.write(b);
      }
    }
  }

  private synchronized void flushPartial() {
    if (partial.size() > 0) {
      emit(partial.toString(StandardCharsets.UTF_8));
      partial.reset();
    }
  }

  private void emit(String raw) {
    String line = stripEscapes(raw);
    tail.addLast(line);
    if (tail.size() > KEPT_LINES) {
      tail.removeFirst();
    }
    events.dispatch(new KilnEvent.ConsoleLine(buildId, Instant.now(), machine, line));
  }

  /** Removes ANSI/VT100 control sequences (GRUB and systemd colour their output). */
  static String stripEscapes(String s) {
    return s.replaceAll("\u001B\\[[0-9;?]*[ -/]*[@-~]", "").replaceAll("\u001B[()][0-9A-Za-z]", "")
        .replaceAll("[\u0000-\u0008\u000B-\u001F\u007F]", "");
  }

  @Override
  public void close() {
    stopping = true;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
