package dev.kiln.kvm.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a machine's files live on its libvirt host. On the local host that is the machine
 * directory and files are used where they are; on a remote host it is a libvirt storage pool
 * and files travel as storage-volume upload and download streams.
 */
public interface MachineStore extends AutoCloseable {
  /**
   * Makes {@code local} available to QEMU on the host under {@code name}; returns the path the
   * domain XML must use.
   */
  Path place(Path local, String name) throws IOException;

  /**
   * Makes a verified medium (ISO, cloud image) available through the host's media cache;
   * empty when this store uses files in place (a local host).
   */
  default java.util.Optional<MediaCache.Placed> placeMedium(Path local) throws IOException {
    return java.util.Optional.empty();
  }

  /** The host path of a file the guest writes (e.g. the console), created empty now. */
  Path hostFile(String name) throws IOException;

  /** A console source for a file placed with {@link #hostFile}. */
  ConsoleFollower.Source reader(String name);

  /** Copies a file of the machine (e.g. a disk the guest wrote) to {@code destination}. */
  void fetch(String name, Path destination) throws IOException;

  /** The machine directory on the host (recorded in the domain's metadata). */
  Path hostDirectory();

  /** Whether files are used in place (a local host). */
  boolean isLocal();

  /** A local scratch directory for files made before placing (overlays). */
  Path scratch();

  @Override
  void close() throws IOException;
}
