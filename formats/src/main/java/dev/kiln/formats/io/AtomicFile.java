package dev.kiln.formats.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * An output file written as {@code NAME.partial} beside its destination and renamed into place
 * only when whole, so a crash or an error never leaves a file that looks finished.
 */
public final class AtomicFile implements AutoCloseable {
  private final Path destination;
  private final Path partial;
  private final FileChannel channel;
  private boolean committed;

  private AtomicFile(Path destination, Path partial, FileChannel channel) {
    this.destination = destination;
    this.partial = partial;
    this.channel = channel;
  }

  /** Creates (or replaces) {@code destination}'s partial file. */
  public static AtomicFile create(Path destination) throws IOException {
    Path partial = TemporaryFiles.register(destination.resolveSibling(
        destination.getFileName() + ".partial"));
    FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new AtomicFile(destination, partial, ch);
  }

  public FileChannel channel() {
    return channel;
  }

  public Path destination() {
    return destination;
  }

  /** Forces the data to disk and renames the partial file to the destination. */
  public void commit() throws IOException {
    if (channel.isOpen()) { // a writer that closed it (zip) forced it first
      channel.force(true);
      channel.close();
    }
    Files.move(partial, destination, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    TemporaryFiles.release(partial);
    committed = true;
  }

  /** Removes the partial file unless committed. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      channel.close();
      TemporaryFiles.delete(partial);
    }
  }
}
