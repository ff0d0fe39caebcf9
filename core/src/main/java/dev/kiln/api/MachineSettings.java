package dev.kiln.api;

import java.net.URI;
import java.util.Objects;

/** The build machine: its size, firmware, accelerator and the libvirt host it runs on. */
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

  private MachineSettings(Builder b) {
    this.cpus = b.cpus;
    this.memoryMiB = b.memoryMiB;
    this.diskSizeBytes = b.diskSizeBytes;
    this.firmware = b.firmware;
    this.secureBoot = b.secureBoot;
    this.accelerator = b.accelerator;
    this.libvirtUri = b.libvirtUri;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder().cpus(cpus).memoryMiB(memoryMiB).diskSizeBytes(diskSizeBytes)
        .firmware(firmware).secureBoot(secureBoot).accelerator(accelerator)
        .libvirtUri(libvirtUri);
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

  @Override
  public String toString() {
    return "MachineSettings{cpus=" + cpus + ", memoryMiB=" + memoryMiB + ", diskSizeBytes="
        + diskSizeBytes + ", firmware=" + firmware + ", secureBoot=" + secureBoot
        + ", accelerator=" + accelerator + ", libvirtUri=" + libvirtUri + "}";
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

    public MachineSettings build() {
      if (secureBoot && firmware != Firmware.UEFI) {
        throw new IllegalStateException("secure boot needs UEFI firmware");
      }
      return new MachineSettings(this);
    }
  }
}
