package dev.kiln.spi;

import dev.kiln.api.MachineException;
import java.net.URI;

/** Connects to a virtualisation host named by a URI (e.g. a libvirt URI). */
@FunctionalInterface
public interface HypervisorProvider {
  /** A connection to the hypervisor at {@code uri}, closed by the caller. */
  Hypervisor connect(URI uri) throws MachineException;
}
