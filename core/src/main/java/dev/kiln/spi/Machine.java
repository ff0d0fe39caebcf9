package dev.kiln.spi;

import dev.kiln.api.MachineException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A build machine. {@link #close()} is idempotent and removes everything the machine owns
 * (the running guest, its definition, its temporary files), whatever state it is in.
 */
public interface Machine extends AutoCloseable {
  /** The machine's unique name on its host. */
  String name();

  /** Powers the machine on. */
  void start() throws MachineException;

  MachineState state() throws MachineException;

  /**
   * Waits until the guest powers itself off.
   *
   * @return true when it did, false when {@code timeout} passed first
   */
  boolean awaitPowerOff(Duration timeout) throws MachineException, InterruptedException;

  /** Asks the guest to shut down (ACPI), and forces it off after {@code timeout}. */
  void shutdown(Duration timeout) throws MachineException, InterruptedException;

  /** Forces the machine off at once. */
  void destroy() throws MachineException;

  /**
   * Where Kiln reaches the guest's port {@code guestPort}, if forwarded: the host's loopback
   * for a local host, a tunnel to it for a remote one (opened here, so this can fail).
   */
  Optional<InetSocketAddress> forwardedPort(int guestPort) throws MachineException;

  /** The last {@code lines} lines of the serial console. */
  List<String> consoleTail(int lines);

  /**
   * The file of disk {@code index} (its writable overlay, for overlay disks) when it can be
   * read in place, i.e. the machine runs on this host.
   */
  default Optional<java.nio.file.Path> localDisk(int index) {
    return Optional.empty();
  }

  /**
   * Freezes disk {@code index} as the guest has written it so far (a running machine): the
   * file written until now becomes read-only, the backing file of a new overlay the guest goes
   * on writing. The step cache keeps a copy of the frozen file after each provisioning step.
   *
   * @return the frozen file on this host, valid while the machine lives; empty when the backend
   *     cannot freeze or the file is not on this host (a remote host)
   */
  default Optional<java.nio.file.Path> freezeDisk(int index) throws MachineException {
    return Optional.empty();
  }

  /** Copies disk {@code index} as the guest left it to {@code destination} (machine off). */
  void fetchDisk(int index, java.nio.file.Path destination) throws MachineException;

  /**
   * The accelerator the machine runs with (KVM or TCG, never AUTO) once it was started; empty
   * when the backend cannot tell.
   */
  default Optional<dev.kiln.api.Accelerator> acceleratorInUse() {
    return Optional.empty();
  }

  /**
   * CPU time the machine's virtual CPUs have used so far (the cost of a build); empty when the
   * backend cannot tell. After the machine stops it keeps the last value it saw.
   */
  default Optional<Duration> cpuTime() {
    return Optional.empty();
  }

  /**
   * What to attach to an error about this machine: console tail, hypervisor log, machine
   * definition. Never throws.
   */
  default String diagnostics() {
    return String.join("\n", consoleTail(40));
  }

  @Override
  void close() throws MachineException;
}
