package dev.kiln.spi;

import dev.kiln.api.Accelerator;
import dev.kiln.api.Firmware;
import dev.kiln.api.GuestForward;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Everything needed to define a build machine. Immutable; made with {@link #builder}. */
public final class MachineSpec {
  /**
   * A disk image attached as a virtio disk. With {@code overlay}, the machine writes into a
   * qcow2 overlay it creates on top of {@code file} (in {@code format}), so the base image stays
   * untouched and can be shared by many builds; the overlay's virtual size is the base's or
   * {@code minimumSize}, whichever is larger (a guest grows its root filesystem into the rest).
   */
  public record Disk(Path file, String format, boolean readOnly, boolean overlay,
      long minimumSize) {
    public Disk {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(format, "format");
      if (!format.matches("[a-z0-9]{1,16}")) {
        throw new IllegalArgumentException("disk format must be a short lower-case name");
      }
      if (minimumSize < 0 || minimumSize > 0 && !overlay) {
        throw new IllegalArgumentException("a minimum size is for overlays, and not negative");
      }
    }

    public Disk(Path file, String format, boolean readOnly) {
      this(file, format, readOnly, false, 0);
    }

    /** A writable qcow2 overlay on top of {@code base}, as large as the base. */
    public static Disk overlayOn(Path base, String baseFormat) {
      return new Disk(base, baseFormat, false, true, 0);
    }

    /** A writable qcow2 overlay on top of {@code base}, at least {@code minimumSize} bytes. */
    public static Disk overlayOn(Path base, String baseFormat, long minimumSize) {
      return new Disk(base, baseFormat, false, true, minimumSize);
    }
  }

  /** Direct kernel boot: the kernel and initrd from the installer media and its arguments. */
  public record KernelBoot(Path kernel, Path initrd, String commandLine) {
    public KernelBoot {
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(initrd, "initrd");
      Objects.requireNonNull(commandLine, "commandLine");
    }
  }

  private final String name;
  private final int cpus;
  private final long memoryMiB;
  private final Firmware firmware;
  private final boolean secureBoot;
  private final Accelerator accelerator;
  private final List<Disk> disks;
  private final List<Path> cdroms;
  private final Optional<KernelBoot> kernelBoot;
  private final List<Integer> forwardedGuestPorts;
  private final Optional<Path> consoleLog;
  private final Map<String, String> labels;
  private final List<GuestForward> guestForwards;
  private final boolean vnc;
  private final Optional<String> libvirtNetwork;
  private final boolean rebootEndsMachine;
  private final java.util.Set<Path> media;

  private MachineSpec(Builder b) {
    this.name = b.name;
    this.cpus = b.cpus;
    this.memoryMiB = b.memoryMiB;
    this.firmware = b.firmware;
    this.secureBoot = b.secureBoot;
    this.accelerator = b.accelerator;
    this.disks = List.copyOf(b.disks);
    this.cdroms = List.copyOf(b.cdroms);
    this.kernelBoot = b.kernelBoot;
    this.forwardedGuestPorts = List.copyOf(b.forwardedGuestPorts);
    this.consoleLog = b.consoleLog;
    this.labels = Map.copyOf(b.labels);
    this.guestForwards = List.copyOf(b.guestForwards);
    this.vnc = b.vnc;
    this.libvirtNetwork = b.libvirtNetwork;
    this.rebootEndsMachine = b.rebootEndsMachine;
    this.media = java.util.Set.copyOf(b.media);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding everything of this spec, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.cpus = cpus;
    b.memoryMiB = memoryMiB;
    b.firmware = firmware;
    b.secureBoot = secureBoot;
    b.accelerator = accelerator;
    b.disks.addAll(disks);
    b.cdroms.addAll(cdroms);
    b.kernelBoot = kernelBoot;
    b.forwardedGuestPorts.addAll(forwardedGuestPorts);
    b.consoleLog = consoleLog;
    b.labels.putAll(labels);
    b.guestForwards.addAll(guestForwards);
    b.vnc = vnc;
    b.libvirtNetwork = libvirtNetwork;
    b.rebootEndsMachine = rebootEndsMachine;
    b.media.addAll(media);
    return b;
  }

  public String name() {
    return name;
  }

  public int cpus() {
    return cpus;
  }

  public long memoryMiB() {
    return memoryMiB;
  }

  public Firmware firmware() {
    return firmware;
  }

  public boolean secureBoot() {
    return secureBoot;
  }

  public Accelerator accelerator() {
    return accelerator;
  }

  public List<Disk> disks() {
    return disks;
  }

  /** ISO images attached as SATA CD-ROMs, in order (installer first, then seeds). */
  public List<Path> cdroms() {
    return cdroms;
  }

  public Optional<KernelBoot> kernelBoot() {
    return kernelBoot;
  }

  /** Guest TCP ports forwarded to free ports on the host's 127.0.0.1. */
  public List<Integer> forwardedGuestPorts() {
    return forwardedGuestPorts;
  }

  /** Where the serial console is written, besides the console events. */
  public Optional<Path> consoleLog() {
    return consoleLog;
  }

  /** Kiln metadata stored with the machine (build id, creation time), used by cleanup. */
  public Map<String, String> labels() {
    return labels;
  }

  /** Guest addresses forwarded to services on the host's loopback. */
  public List<GuestForward> guestForwards() {
    return guestForwards;
  }

  /** Whether a VNC display is offered (on 127.0.0.1 only). */
  public boolean vnc() {
    return vnc;
  }

  /**
   * A named libvirt network to attach instead of QEMU user networking (production hosts); the
   * guest is then reached at its DHCP or guest-agent address, not through forwards.
   */
  public Optional<String> libvirtNetwork() {
    return libvirtNetwork;
  }

  /**
   * Whether a guest reboot stops the machine instead of restarting it: an installer booted
   * from its kernel would otherwise start again from the beginning.
   */
  public boolean rebootEndsMachine() {
    return rebootEndsMachine;
  }

  /**
   * Files among the disks' bases and the CD-ROMs that are verified, unchanging build inputs
   * (a downloaded ISO or cloud image): a remote host keeps these in its media cache, so they
   * travel to it once.
   */
  public java.util.Set<Path> media() {
    return media;
  }

  /** Builder for {@link MachineSpec}. */
  public static final class Builder {
    private final String name;
    private int cpus = 2;
    private long memoryMiB = 2048;
    private Firmware firmware = Firmware.BIOS;
    private boolean secureBoot;
    private Accelerator accelerator = Accelerator.AUTO;
    private final List<Disk> disks = new ArrayList<>();
    private final List<Path> cdroms = new ArrayList<>();
    private Optional<KernelBoot> kernelBoot = Optional.empty();
    private final List<Integer> forwardedGuestPorts = new ArrayList<>();
    private Optional<Path> consoleLog = Optional.empty();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<GuestForward> guestForwards = new ArrayList<>();
    private boolean vnc;
    private Optional<String> libvirtNetwork = Optional.empty();
    private boolean rebootEndsMachine;
    private final java.util.Set<Path> media = new java.util.LinkedHashSet<>();

    private Builder(String name) {
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new IllegalArgumentException("machine name must be 1-64 of [A-Za-z0-9._-]");
      }
      this.name = name;
    }

    public Builder cpus(int cpus) {
      this.cpus = cpus;
      return this;
    }

    public Builder memoryMiB(long memoryMiB) {
      this.memoryMiB = memoryMiB;
      return this;
    }

    public Builder firmware(Firmware firmware, boolean secureBoot) {
      this.firmware = Objects.requireNonNull(firmware);
      this.secureBoot = secureBoot;
      return this;
    }

    public Builder accelerator(Accelerator accelerator) {
      this.accelerator = Objects.requireNonNull(accelerator);
      return this;
    }

    public Builder addDisk(Disk disk) {
      disks.add(Objects.requireNonNull(disk));
      return this;
    }

    /** Replaces the disks added so far. */
    public Builder disks(List<Disk> replacement) {
      disks.clear();
      replacement.forEach(this::addDisk);
      return this;
    }

    /** Replaces the CD-ROMs added so far. */
    public Builder cdroms(List<Path> replacement) {
      cdroms.clear();
      replacement.forEach(this::addCdrom);
      return this;
    }

    public Builder addCdrom(Path iso) {
      cdroms.add(Objects.requireNonNull(iso));
      return this;
    }

    public Builder kernelBoot(KernelBoot boot) {
      this.kernelBoot = Optional.of(boot);
      return this;
    }

    public Builder forwardGuestPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      forwardedGuestPorts.add(port);
      return this;
    }

    public Builder consoleLog(Path file) {
      this.consoleLog = Optional.of(file);
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    public Builder addGuestForward(GuestForward forward) {
      guestForwards.add(Objects.requireNonNull(forward));
      return this;
    }

    /** Marks {@code file} (a disk's base or a CD-ROM) as a verified input: see {@link #media()}. */
    public Builder media(Path file) {
      media.add(Objects.requireNonNull(file));
      return this;
    }

    /** Whether a guest reboot ends the machine (an installer's last step). */
    public Builder rebootEndsMachine(boolean ends) {
      this.rebootEndsMachine = ends;
      return this;
    }

    public Builder vnc(boolean vnc) {
      this.vnc = vnc;
      return this;
    }

    public Builder libvirtNetwork(String network) {
      if (!network.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new IllegalArgumentException("libvirt network name must be 1-64 of [A-Za-z0-9._-]");
      }
      this.libvirtNetwork = Optional.of(network);
      return this;
    }

    public MachineSpec build() {
      if (libvirtNetwork.isPresent() && !guestForwards.isEmpty()) {
        throw new IllegalStateException("guest forwards need QEMU user networking, not a "
            + "libvirt network");
      }
      if (disks.isEmpty() && cdroms.isEmpty() && kernelBoot.isEmpty()) {
        throw new IllegalStateException("a machine needs a disk, a CD-ROM or a kernel to boot");
      }
      return new MachineSpec(this);
    }
  }
}
