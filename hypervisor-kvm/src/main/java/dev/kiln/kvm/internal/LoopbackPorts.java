package dev.kiln.kvm.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Hands out free TCP ports on 127.0.0.1 for QEMU's {@code hostfwd}. "Free" is checked by
 * binding, and the port is then held by an OS file lock in a directory shared by every Kiln
 * process on the host, so two parallel builds (in one JVM or several) never pick the same port
 * in the window between the check and QEMU binding it. A process that dies releases its locks.
 */
public final class LoopbackPorts {
  private final Path lockDir;

  public LoopbackPorts(Path lockDir) {
    this.lockDir = lockDir;
  }

  /** A port held for as long as this is open. */
  public static final class Reservation implements AutoCloseable {
    private final int port;
    private final FileChannel channel;
    private final FileLock lock;

    Reservation(int port, FileChannel channel, FileLock lock) {
      this.port = port;
      this.channel = channel;
      this.lock = lock;
    }

    public int port() {
      return port;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException ignored) {
        // closing the channel releases the lock in any case
      }
    }
  }

  public Reservation reserve() throws IOException {
    Files.createDirectories(lockDir);
    for (int attempt = 0; attempt < 64; attempt++) {
      int port;
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      FileChannel channel = FileChannel.open(lockDir.resolve(port + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          if (isFree(port)) { // still free now that no other Kiln process can take it
            return new Reservation(port, channel, lock);
          }
          lock.release();
        }
      } catch (OverlappingFileLockException heldInThisJvm) {
        // another machine of this process holds it: try the next one
      }
      channel.close();
    }
    throw new IOException("no free port on 127.0.0.1 after 64 attempts");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
