package dev.kiln.kvm.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A build machine's directory on the host (console log, overlays, seeds). While its owner
 * lives, the directory's {@code owner.lock} is locked; a killed build leaves it unlocked, which
 * is how {@code kiln clean} tells leftovers from the files of a build still running.
 * Mode 0755: QEMU runs as its own user and must reach the files.
 */
public final class MachineDirectory implements AutoCloseable {
  static final String LOCK_FILE = "owner.lock";

  private final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private MachineDirectory(Path path, FileChannel lockChannel, FileLock lock) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  public static MachineDirectory create(Path root, String name) throws IOException {
    Files.createDirectories(root);
    root.toFile().setReadable(true, false);
    root.toFile().setExecutable(true, false);
    Path dir = root.resolve(name);
    Files.createDirectory(dir,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    return new MachineDirectory(dir, channel, channel.lock());
  }

  public Path path() {
    return path;
  }

  public Path resolve(String file) {
    return path.resolve(file);
  }

  /** Whether {@code dir} is a machine directory whose owner is gone. */
  static boolean isAbandoned(Path dir) {
    Path lockFile = dir.resolve(LOCK_FILE);
    if (!Files.isRegularFile(lockFile)) {
      return false; // not ours, or still being created
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock probe = channel.tryLock();
      if (probe == null) {
        return false;
      }
      probe.release();
      return true;
    } catch (OverlappingFileLockException heldHere) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Releases the lock and removes the directory with everything in it. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
      lockChannel.close();
    } finally {
      deleteTree(path);
    }
  }
}
