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

  /** The host as the connection's URI names it, without parameters (they may name keys). */
  static String hostName(LibvirtConnection connection) {
    String s = SshRoute.withoutKilnParameters(connection.uri()).toString();
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }

  /**
   * @param workRoot local machine directories and port locks
   * @param remoteRoot where machine pools go on a remote host
   */
  public static KvmMachine create(LibvirtConnection connection, MachineSpec spec,
      EventHandlers events, Path workRoot, Path remoteRoot, Accelerator accelerator,
      boolean auto, long mediaCacheBytes) throws MachineException {
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
    MachineStore store = null;
    try {
      store = connection.isLocal() ? new LocalStore(dir)
          : PoolStore.create(connection.connect(), spec.name(), remoteRoot, dir,
              new MediaCache(connection.connect(), hostName(connection), remoteRoot,
                  mediaCacheBytes));
      return new KvmMachine(connection, spec, events, store,
          new LoopbackPorts(workRoot.resolve(PORTS)), accelerator, auto);
    } catch (IOException | RuntimeException e) {
      try {
        if (store != null) {
          store.close();
        } else {
          dir.close();
        }
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new MachineException("preparing disks of " + spec.name() + ": " + e.getMessage(), e);
    }
  }
}
