package dev.kiln.core.testing;

import dev.kiln.api.MachineException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.spi.Hypervisor;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.MachineState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A hypervisor for the pipeline's unit tests (no VM can run in a unit test): machines "run"
 * by copying their base disk, so export reads a real image, and every lifecycle call goes to
 * the shared log in the order it happened.
 */
public final class FakeHypervisor implements Hypervisor {
  public final List<String> log;
  final Path scratch;
  public final List<FakeMachine> machines = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Machine roles whose {@code awaitPowerOff} times out (an installer that never finishes). */
  public Set<String> hangs = Set.of();
  public boolean closed;
  /** Whether machines freeze their disks into layers (the step cache), as a local host's do. */
  public boolean layers;

  public FakeHypervisor(List<String> log, Path scratch) {
    this.log = log;
    this.scratch = scratch;
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public boolean layersDisks() {
    return layers;
  }

  @Override
  public Machine create(MachineSpec spec, EventHandlers events) throws MachineException {
    FakeMachine m = new FakeMachine(spec);
    machines.add(m);
    log.add("create " + m.role());
    return m;
  }

  @Override
  public void close() {
    closed = true;
    log.add("close hypervisor");
  }

  /** Machines not closed. */
  public List<FakeMachine> open() {
    return machines.stream().filter(m -> !m.closed).toList();
  }

  public final class FakeMachine implements Machine {
    public final MachineSpec spec;
    Path disk;
    boolean closed;
    int frozenLayers;
    MachineState state = MachineState.DEFINED;

    FakeMachine(MachineSpec spec) {
      this.spec = spec;
    }

    public String role() {
      return spec.name().substring(spec.name().lastIndexOf('-') + 1);
    }

    @Override
    public String name() {
      return spec.name();
    }

    @Override
    public void start() throws MachineException {
      log.add("start " + role());
      try {
        MachineSpec.Disk d = spec.disks().get(0);
        disk = scratch.resolve(spec.name() + ".disk");
        Files.copy(d.file(), disk, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new MachineException("fake start: " + e.getMessage(), e);
      }
      state = MachineState.RUNNING;
    }

    @Override
    public MachineState state() {
      return state;
    }

    /** As a TCG host's machine would say: the pipeline must record this, not the recipe's. */
    @Override
    public Optional<dev.kiln.api.Accelerator> acceleratorInUse() {
      return disk != null ? Optional.of(dev.kiln.api.Accelerator.TCG)
          : Optional.empty();
    }

    @Override
    public boolean awaitPowerOff(Duration timeout) {
      if (hangs.contains(role())) {
        return false;
      }
      state = MachineState.SHUT_OFF;
      return true;
    }

    @Override
    public void shutdown(Duration timeout) {
      state = MachineState.SHUT_OFF;
    }

    @Override
    public void destroy() {
      state = MachineState.SHUT_OFF;
    }

    @Override
    public Optional<InetSocketAddress> forwardedPort(int guestPort) {
      // an address that is not loopback: the pipeline must use what the machine gives
      return guestPort == 22 ? Optional.of(InetSocketAddress.createUnresolved("guest.test",
          2222)) : Optional.empty();
    }

    @Override
    public List<String> consoleTail(int lines) {
      return List.of("console of " + role());
    }

    @Override
    public String diagnostics() {
      log.add("diagnostics " + role());
      return "console of " + role();
    }

    @Override
    public Optional<Path> localDisk(int index) {
      return Optional.ofNullable(disk);
    }

    @Override
    public void fetchDisk(int index, Path destination) throws MachineException {
      throw new MachineException("fake machines are local");
    }

    /**
     * A real (empty) qcow2 overlay on the machine's disk copy, as QEMU's snapshot would leave
     * one: what the step cache copies and re-points.
     */
    @Override
    public Optional<Path> freezeDisk(int index) throws MachineException {
      if (!layers) {
        return Optional.empty();
      }
      try {
        Path frozen = scratch.resolve(spec.name() + "-layer" + (frozenLayers++) + ".qcow2");
        long size;
        try (var ch = java.nio.channels.FileChannel.open(disk)) {
          java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(32);
          ch.read(h, 0);
          size = h.getLong(24);
        }
        dev.kiln.formats.qcow2.Qcow2Overlay.create(frozen, disk.toString(), "qcow2", size);
        log.add("freeze " + role());
        return Optional.of(frozen);
      } catch (IOException e) {
        throw new MachineException("fake freeze: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws MachineException {
      if (!closed) {
        closed = true;
        log.add("close " + role());
      }
    }
  }
}
