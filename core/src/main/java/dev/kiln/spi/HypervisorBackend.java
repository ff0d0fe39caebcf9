package dev.kiln.spi;

import java.net.URI;
import java.nio.file.Path;

/**
 * A hypervisor implementation found with {@link java.util.ServiceLoader} (module
 * {@code hypervisor-kvm} registers libvirt's): it says which host URIs it serves and connects to
 * them.
 */
public interface HypervisorBackend {
  /** A short name, e.g. {@code kvm}. */
  String name();

  /** Whether this backend connects to {@code uri} (e.g. {@code qemu:///system}). */
  boolean accepts(URI uri);

  /**
   * Connects to {@code uri}.
   *
   * @param workRoot where machine directories and locks go on this host
   */
  Hypervisor connect(URI uri, Path workRoot) throws dev.kiln.api.MachineException;
}
