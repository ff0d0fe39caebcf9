package dev.kiln.kvm.internal;

import dev.kiln.api.Accelerator;
import dev.kiln.api.MachineException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.spi.MachineSpec;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/** Creates {@link KvmMachine}s: directory, overlays, port lock directory. */
public final class KvmMachines {
  /** Machine directories under the work root. */
  public static final String MACHINES = "machines";
  /** Port lock files under the work root. */
  public static final String PORTS = "ports";

  private KvmMachines() {}

  public static KvmMachine create(LibvirtConnection connection, MachineSpec spec,
      EventHandlers events, Path workRoot, Accelerator accelerator, boolean auto)
      throws MachineException {
    MachineDirectory dir;
    try {
      dir = MachineDirectory.create(workRoot.resolve(MACHINES), spec.name());
    } catch (FileAlreadyExistsException e) {
      throw new MachineException("a machine named " + spec.name() + " already exists on this "
          + "host (" + e.getFile() + "); machine names must be unique", e);
    } catch (IOException e) {
      throw new MachineException("cannot create the machine directory under " + workRoot
          + ": " + e.getMessage(), e);
    }
    try {
      return new KvmMachine(connection, spec, events, dir,
          new LoopbackPorts(workRoot.resolve(PORTS)), accelerator, auto);
    } catch (IOException | RuntimeException e) {
      try {
        dir.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new MachineException("preparing disks of " + spec.name() + ": " + e.getMessage(), e);
    }
  }
}
