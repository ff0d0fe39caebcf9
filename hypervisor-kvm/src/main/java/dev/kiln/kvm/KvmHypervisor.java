package dev.kiln.kvm;

import dev.kiln.api.Accelerator;
import dev.kiln.api.MachineException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.kvm.internal.KvmMachines;
import dev.kiln.kvm.internal.LibvirtConnection;
import dev.kiln.kvm.internal.LibvirtConnections;
import dev.kiln.kvm.internal.MediaCache;
import dev.kiln.kvm.internal.SshRoute;
import dev.kiln.spi.Hypervisor;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Build machines on one libvirt host. {@code accelerator: auto} is decided once per
 * hypervisor by booting {@link AcceleratorProbe}'s probe under KVM: when KVM cannot run it,
 * machines use TCG and a {@code accel.fallback} warning says so.
 *
 * <pre>{@code
 * try (KvmHypervisor kvm = KvmHypervisor.builder().build();
 *      Machine m = kvm.create(spec, events)) {
 *   m.start();
 *   m.awaitPowerOff(Duration.ofMinutes(30));
 * }
 * }</pre>
 */
public final class KvmHypervisor implements Hypervisor {
  /** Where machine directories and port locks live on a local host. */
  public static final Path DEFAULT_WORK_ROOT = Path.of("/var/tmp/kiln");
  /** Where machine storage pools go on a remote host. */
  public static final Path DEFAULT_REMOTE_WORK_ROOT = Path.of("/var/lib/kiln");

  private final LibvirtConnection connection;
  private final Path workRoot;
  private final Path remoteWorkRoot;
  private final long mediaCacheBytes;
  private final Duration probeDeadline;
  private Accelerator autoChoice;

  private KvmHypervisor(Builder b) throws MachineException {
    this.connection = LibvirtConnections.open(b.uri);
    this.workRoot = b.workRoot;
    this.remoteWorkRoot = b.remoteWorkRoot;
    try {
      this.mediaCacheBytes = b.mediaCacheBytes.orElse(SshRoute.cacheGib(b.uri)
          .map(g -> g << 30).orElse(MediaCache.DEFAULT_CAP_BYTES));
    } catch (IllegalArgumentException e) {
      throw new MachineException(e.getMessage(), e);
    }
    this.probeDeadline = b.probeDeadline;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return "kvm";
  }

  public URI uri() {
    return connection.uri();
  }

  /** A local libvirt host boots layers in place; a remote one would need the chain uploaded. */
  @Override
  public boolean layersDisks() {
    return dev.kiln.kvm.internal.LibvirtConnections.isLocalUri(connection.uri());
  }

  /** What libvirt says of itself and of the hypervisor it drives (QEMU's version). */
  @Override
  public java.util.Map<String, String> versions() {
    try {
      var c = connection.connect();
      return java.util.Map.of("libvirt", dev.kiln.kvm.internal.LibvirtConnections.versionText(
          c.getLibVirVersion()), "qemu", dev.kiln.kvm.internal.LibvirtConnections.versionText(
          c.getVersion()));
    } catch (org.libvirt.LibvirtException | RuntimeException e) {
      return java.util.Map.of();
    }
  }

  @Override
  public Machine create(MachineSpec spec, EventHandlers events) throws MachineException {
    Accelerator accelerator = spec.accelerator();
    boolean auto = accelerator == Accelerator.AUTO;
    if (auto) {
      accelerator = resolveAuto(events, spec.labels().getOrDefault("build", spec.name()));
    }
    return KvmMachines.create(connection, spec, events, workRoot, remoteWorkRoot, accelerator,
        auto, mediaCacheBytes);
  }

  private synchronized Accelerator resolveAuto(EventHandlers events, String buildId)
      throws MachineException {
    if (autoChoice == null) {
      try {
        AcceleratorProbe.Result kvm = AcceleratorProbe.probeOnce(connection.uri(), Accelerator.KVM,
            probeDeadline);
        autoChoice = kvm.usable() ? Accelerator.KVM : Accelerator.TCG;
        if (!kvm.usable()) {
          events.dispatch(new KilnEvent.Warning(buildId, Instant.now(), "accel.fallback",
              "KVM cannot run guests on " + connection.uri() + ": " + kvm.reason()
                  + "; using TCG (software emulation), which is much slower"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MachineException("interrupted while probing KVM", e);
      }
    }
    return autoChoice;
  }

  @Override
  public void close() throws MachineException {
    connection.close();
  }

  /** Builder for {@link KvmHypervisor}. */
  public static final class Builder {
    private URI uri = URI.create("qemu:///system");
    private Path workRoot = DEFAULT_WORK_ROOT;
    private Path remoteWorkRoot = DEFAULT_REMOTE_WORK_ROOT;
    private Duration probeDeadline = AcceleratorProbe.DEFAULT_DEADLINE;
    private java.util.Optional<Long> mediaCacheBytes = java.util.Optional.empty();

    private Builder() {}

    /**
     * The size cap of a remote host's media cache (least recently used media are evicted past
     * it); else the URI's {@code kiln-cache-gib=N}, else 64 GiB.
     */
    public Builder mediaCacheBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("the media cache cap must be positive");
      }
      this.mediaCacheBytes = java.util.Optional.of(bytes);
      return this;
    }

    /** The libvirt connection URI; {@code qemu:///system} by default. */
    public Builder uri(URI uri) {
      this.uri = Objects.requireNonNull(uri);
      return this;
    }

    /** Where machine directories go (reachable by QEMU's user); /var/tmp/kiln by default. */
    public Builder workRoot(Path workRoot) {
      this.workRoot = Objects.requireNonNull(workRoot);
      return this;
    }

    /**
     * Where machine storage pools go when the URI names a remote host ({@code
     * qemu+ssh://...}); files are uploaded there through libvirt volume streams.
     */
    public Builder remoteWorkRoot(Path remoteWorkRoot) {
      this.remoteWorkRoot = Objects.requireNonNull(remoteWorkRoot);
      return this;
    }

    public Builder probeDeadline(Duration deadline) {
      this.probeDeadline = Objects.requireNonNull(deadline);
      return this;
    }

    /** Connects to libvirt. */
    public KvmHypervisor build() throws MachineException {
      return new KvmHypervisor(this);
    }
  }
}
