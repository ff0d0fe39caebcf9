package dev.kiln.spi;

import dev.kiln.api.MachineException;
import dev.kiln.api.event.EventHandlers;

/** Creates build machines on one virtualisation host (e.g. a libvirt connection). */
public interface Hypervisor extends AutoCloseable {
  /** A short name, e.g. {@code kvm}. */
  String name();

  /**
   * Defines a machine from {@code spec}; it is not started yet. The caller owns the machine and
   * must close it.
   */
  Machine create(MachineSpec spec, EventHandlers events) throws MachineException;

  /**
   * Whether this hypervisor's machines can boot from a chain of layers on this host and freeze
   * their disks into new layers ({@link Machine#freezeDisk}): what the step cache needs. A
   * remote host cannot (the layers are here).
   */
  default boolean layersDisks() {
    return false;
  }

  /**
   * The versions of the virtualisation software builds run on, for the manifest: e.g.
   * {@code qemu → 7.2.0}, {@code libvirt → 9.0.0}; empty when unknown. Never throws.
   */
  default java.util.Map<String, String> versions() {
    return java.util.Map.of();
  }

  /** Releases the connection; machines created through it must be closed first. */
  @Override
  void close() throws MachineException;
}
