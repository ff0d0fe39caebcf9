package dev.kiln.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The build machine: its size, firmware, accelerator, the libvirt host it runs on, and its
 * network — QEMU user networking (with optional guest forwards to host services) unless a
 * libvirt network is named — and whether it has a VNC display (on 127.0.0.1).
 */
public final class MachineSettings {
  /** Defaults: 2 CPUs, 2 GiB memory, 8 GiB disk, BIOS, {@code auto}, {@code qemu:///system}. */
  public static final MachineSettings DEFAULTS = builder().build();

  private final int cpus;
  private final long memoryMiB;
  private final long diskSizeBytes;
  private final Firmware firmware;
  private final boolean secureBoot;
  private final Accelerator accelerator;
  private final URI libvirtUri;
  private final Optional<String> libvirtNetwork;
  private final boolean vnc;
  private final List<GuestForward> guestForwards;

  private MachineSettings(Builder b) {
    this.cpus = b.cpus;
    this.memoryMiB = b.memoryMiB;
    this.diskSizeBytes = b.diskSizeBytes;
    this.firmware = b.firmware;
    this.secureBoot = b.secureBoot;
    this.accelerator = b.accelerator;
    this.libvirtUri = b.libvirtUri;
    this.libvirtNetwork = b.libvirtNetwork;
    this.vnc = b.vnc;
    this.guestForwards = List.copyOf(b.guestForwards);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().cpus(cpus).memoryMiB(memoryMiB).diskSizeBytes(diskSizeBytes)
        .firmware(firmware).secureBoot(secureBoot).accelerator(accelerator)
        .libvirtUri(libvirtUri).libvirtNetwork(libvirtNetwork.orElse(null)).vnc(vnc)
        .guestForwards(guestForwards);
  }

  public int cpus() {
    return cpus;
  }

  public long memoryMiB() {
    return memoryMiB;
  }

  /** Virtual size of the system disk, in bytes. */
  public long diskSizeBytes() {
    return diskSizeBytes;
  }

  public Firmware firmware() {
    return firmware;
  }

  /** Whether UEFI secure boot is enabled (UEFI only). */
  public boolean secureBoot() {
    return secureBoot;
  }

  public Accelerator accelerator() {
    return accelerator;
  }

  /** The libvirt connection URI, e.g. {@code qemu:///system} or {@code qemu+ssh://h/system}. */
  public URI libvirtUri() {
    return libvirtUri;
  }

  /**
   * A named libvirt network instead of QEMU user networking (production hosts); the build then
   * reaches the guest at its own address.
   */
  public Optional<String> libvirtNetwork() {
    return libvirtNetwork;
  }

  /** Whether the machine has a VNC display, listening on the host's 127.0.0.1 only. */
  public boolean vnc() {
    return vnc;
  }

  /** Guest addresses carried to services on the host's 127.0.0.1 (user networking only). */
  public List<GuestForward> guestForwards() {
    return guestForwards;
  }

  @Override
  public String toString() {
    return "MachineSettings{cpus=" + cpus + ", memoryMiB=" + memoryMiB + ", diskSizeBytes="
        + diskSizeBytes + ", firmware=" + firmware + ", secureBoot=" + secureBoot
        + ", accelerator=" + accelerator + ", libvirtUri=" + libvirtUri + ", libvirtNetwork="
        + libvirtNetwork.orElse("-") + ", vnc=" + vnc + ", guestForwards=" + guestForwards
        + "}";
  }

  /** Builder for {@link MachineSettings}; setters validate their argument at once. */
  public static final class Builder {
    private int cpus = 2;
    private long memoryMiB = 2048;
    private long diskSizeBytes = 8L << 30;
    private Firmware firmware = Firmware.BIOS;
    private boolean secureBoot;
    private Accelerator accelerator = Accelerator.AUTO;
    private URI libvirtUri = URI.create("qemu:///system");
    private Optional<String> libvirtNetwork = Optional.empty();
    private boolean vnc;
    private final List<GuestForward> guestForwards = new ArrayList<>();

    private Builder() {}

    public Builder cpus(int cpus) {
      if (cpus < 1) {
        throw new IllegalArgumentException("cpus must be at least 1");
      }
      this.cpus = cpus;
      return this;
    }

    public Builder memoryMiB(long memoryMiB) {
      if (memoryMiB < 256) {
        throw new IllegalArgumentException("memory must be at least 256 MiB");
      }
      this.memoryMiB = memoryMiB;
      return this;
    }

    public Builder diskSizeBytes(long diskSizeBytes) {
      if (diskSizeBytes <= 0 || diskSizeBytes % 512 != 0) {
        throw new IllegalArgumentException("disk size must be a positive multiple of 512 bytes");
      }
      this.diskSizeBytes = diskSizeBytes;
      return this;
    }

    public Builder firmware(Firmware firmware) {
      this.firmware = Objects.requireNonNull(firmware);
      return this;
    }

    public Builder secureBoot(boolean secureBoot) {
      this.secureBoot = secureBoot;
      return this;
    }

    public Builder accelerator(Accelerator accelerator) {
      this.accelerator = Objects.requireNonNull(accelerator);
      return this;
    }

    public Builder libvirtUri(URI libvirtUri) {
      this.libvirtUri = Objects.requireNonNull(libvirtUri);
      return this;
    }

    /** A libvirt network by name, or {@code null} for QEMU user networking (the default). */
    public Builder libvirtNetwork(String network) {
      if (network != null && !network.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new IllegalArgumentException("libvirt network name must be 1-64 of "
            + "[A-Za-z0-9._-]");
      }
      this.libvirtNetwork = Optional.ofNullable(network);
      return this;
    }

    public Builder vnc(boolean vnc) {
      this.vnc = vnc;
      return this;
    }

    public Builder guestForwards(List<GuestForward> forwards) {
      guestForwards.clear();
      forwards.forEach(f -> guestForwards.add(Objects.requireNonNull(f)));
      return this;
    }

    public MachineSettings build() {
      if (secureBoot && firmware != Firmware.UEFI) {
        throw new IllegalStateException("secure boot needs UEFI firmware");
      }
      if (libvirtNetwork.isPresent() && !guestForwards.isEmpty()) {
        throw new IllegalStateException("guest forwards need QEMU user networking, not a "
            + "libvirt network");
      }
      return new MachineSettings(this);
    }
  }
}
