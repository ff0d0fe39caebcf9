package dev.kiln.kvm.internal;

import dev.kiln.api.Accelerator;
import dev.kiln.api.MachineException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.formats.qcow2.Qcow2Overlay;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.MachineState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;
import org.libvirt.event.StoppedDetail;

/**
 * A build machine as a transient libvirt domain: it exists in libvirt only while it runs, so a
 * guest that powers off leaves no definition behind. Its files live in a
 * {@link MachineDirectory}; forwarded ports are held by {@link LoopbackPorts} reservations.
 * Power-off is observed through libvirt lifecycle events, not by polling.
 */
public final class KvmMachine implements Machine {
  /** Host-forward setup failures: the port was taken by a non-Kiln process after the check. */
  private static final List<String> PORT_CLASH = List.of("host forwarding rule",
      "Address already in use");

  private final LibvirtConnection connection;
  private final MachineSpec spec;
  private final EventHandlers events;
  private final String buildId;
  private final MachineStore store;
  private final LoopbackPorts ports;
  /** The spec with every file replaced by where QEMU finds it on the host. */
  private final MachineSpec placed;
  private final List<String> diskNames = new ArrayList<>();
  /** The file each disk is written through now: a freeze moves it to a new overlay. */
  private final List<Path> diskTops = new ArrayList<>();
  private final boolean autoAccelerator;
  private Accelerator accelerator;
  private Path consoleFile;
  private final Map<Integer, LoopbackPorts.Reservation> forwards = new LinkedHashMap<>();
  /** Where this machine reaches each forward (through the host tunnel for a remote host). */
  private final Map<Integer, InetSocketAddress> reachedPorts = new LinkedHashMap<>();
  private volatile CountDownLatch stopped = new CountDownLatch(1);
  private volatile MachineState lastStop = MachineState.SHUT_OFF;
  private volatile boolean started;
  private volatile boolean closed;
  private long cpuNanos;
  private int layers;
  private Domain domain;
  private String domainXml = "";
  private ConsoleFollower console;
  private final LifecycleListener listener = this::onLifecycle;

  KvmMachine(LibvirtConnection connection, MachineSpec spec, EventHandlers events,
      MachineStore store, LoopbackPorts ports, Accelerator accelerator,
      boolean autoAccelerator) throws IOException {
    this.connection = connection;
    this.spec = spec;
    this.events = events;
    this.buildId = spec.labels().getOrDefault("build", spec.name());
    this.store = store;
    this.ports = ports;
    this.accelerator = accelerator;
    this.autoAccelerator = autoAccelerator;
    this.placed = place(spec);
    placed.disks().forEach(d -> diskTops.add(d.file()));
    OpenMachines.add(this);
  }

  /**
   * Puts every file the machine needs where QEMU can open it (in place locally, uploaded to a
   * remote host) and creates the overlays that disks marked as such are written through.
   */
  private MachineSpec place(MachineSpec spec) throws IOException {
    List<MachineSpec.Disk> disks = new ArrayList<>();
    int i = 0;
    for (MachineSpec.Disk d : spec.disks()) {
      if (d.overlay()) {
        Path base = placeMaybeMedium(spec, d.file(), "base" + i + "." + d.format());
        Path overlay = store.scratch().resolve("disk" + i + ".qcow2");
        // rounded up to whole MiB: partition tools align to it
        long size = Math.max(virtualSize(d.file(), d.format()),
            (d.minimumSize() + (1 << 20) - 1) & -(1L << 20));
        Qcow2Overlay.create(overlay, base.toString(), d.format(), size);
        diskNames.add("disk" + i + ".qcow2");
        disks.add(new MachineSpec.Disk(store.place(overlay, "disk" + i + ".qcow2"), "qcow2",
            false));
      } else {
        diskNames.add("disk" + i + "." + d.format());
        disks.add(new MachineSpec.Disk(store.place(d.file(), "disk" + i + "." + d.format()),
            d.format(), d.readOnly()));
      }
      i++;
    }
    List<Path> cdroms = new ArrayList<>();
    for (int c = 0; c < spec.cdroms().size(); c++) {
      cdroms.add(placeMaybeMedium(spec, spec.cdroms().get(c), "cdrom" + c + ".iso"));
    }
    MachineSpec.Builder b = spec.toBuilder().disks(disks).cdroms(cdroms);
    if (spec.kernelBoot().isPresent()) {
      MachineSpec.KernelBoot k = spec.kernelBoot().get();
      b.kernelBoot(new MachineSpec.KernelBoot(store.place(k.kernel(), "kernel"),
          store.place(k.initrd(), "initrd"), k.commandLine()));
    }
    return b.build();
  }

  /** A medium goes through the host's media cache (a remote host); anything else is placed. */
  private Path placeMaybeMedium(MachineSpec spec, Path file, String name) throws IOException {
    if (spec.media().contains(file)) {
      Optional<MediaCache.Placed> placed = store.placeMedium(file);
      if (placed.isPresent()) {
        MediaCache.Placed p = placed.get();
        events.dispatch(new KilnEvent.MediaPlaced(buildId, Instant.now(),
            KvmMachines.hostName(connection), file.getFileName().toString(), p.sha256(),
            p.bytes(), p.reused()));
        return p.hostPath();
      }
    }
    return store.place(file, name);
  }

  /**
   * Copies disk {@code index} as the guest left it (the overlay, for overlay disks) to
   * {@code destination}; from a remote host through a volume download stream.
   */
  @Override
  public synchronized Optional<Path> localDisk(int index) {
    return store.isLocal() && index >= 0 && index < diskTops.size()
        ? Optional.of(diskTops.get(index)) : Optional.empty();
  }

  /**
   * A disk-only external snapshot without libvirt metadata (the domain is transient): QEMU
   * flushes the disk, reopens its file read-only as the backing file of a new overlay in the
   * machine directory, and goes on writing there. A local host only: the frozen file must be
   * readable here.
   */
  @Override
  public synchronized Optional<Path> freezeDisk(int index) throws MachineException {
    if (!store.isLocal() || index < 0 || index >= diskTops.size()) {
      return Optional.empty();
    }
    if (!isActive()) {
      throw new MachineException(name() + " is not running: only a running machine's disk is "
          + "frozen into a layer");
    }
    Path frozen = diskTops.get(index);
    Path next = store.hostDirectory().resolve("disk" + index + "-layer" + (layers++)
        + ".qcow2");
    Xml snapshot = Xml.root("domainsnapshot");
    snapshot.text("name", "kiln-layer-" + layers);
    Xml disks = snapshot.child("disks");
    for (int d = 0; d < diskTops.size(); d++) {
      Xml disk = disks.child("disk").attr("name", "vd" + (char) ('a' + d));
      if (d == index) {
        disk.attr("snapshot", "external").child("source").attr("file", next.toString());
      } else {
        disk.attr("snapshot", "no");
      }
    }
    try {
      domain.snapshotCreateXML(snapshot.serialize(), Domain.SnapshotCreateFlags.DISK_ONLY
          | Domain.SnapshotCreateFlags.NO_METADATA | Domain.SnapshotCreateFlags.ATOMIC);
    } catch (LibvirtException e) {
      throw new MachineException("freezing disk " + index + " of " + name() + ": "
          + e.getMessage(), e);
    }
    diskTops.set(index, next);
    return Optional.of(frozen);
  }

  @Override
  public void fetchDisk(int index, Path destination) throws MachineException {
    if (isActive()) {
      throw new MachineException("power " + name() + " off before copying its disk");
    }
    try {
      if (store.isLocal()) {
        java.nio.file.Files.copy(diskTops.get(index), destination,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } else {
        store.fetch(diskNames.get(index), destination);
        MachineSpec.Disk original = spec.disks().get(index);
        if (original.overlay()) {
          // the overlay names its base by the host's path; the same bytes are here locally
          // (uploaded from this file, or a media volume of the same SHA-256)
          Qcow2Overlay.rebase(destination, original.file().toAbsolutePath().toString());
        }
      }
    } catch (IOException e) {
      throw new MachineException("copying disk " + index + " of " + name() + ": "
          + e.getMessage(), e);
    }
  }

  private static long virtualSize(Path base, String format) throws IOException {
    if (format.equals("raw")) {
      return Files.size(base);
    }
    if (format.equals("qcow2")) {
      // the header's size field is enough, and works for images that have a backing file
      // themselves (an overlay on an overlay), which Kiln's reader does not open
      try (var ch = java.nio.channels.FileChannel.open(base)) {
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(32);
        while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
        }
        if (h.position() < 32 || h.getInt(0) != dev.kiln.formats.qcow2.Qcow2Header.MAGIC) {
          throw new IOException(base + " is not a qcow2 image");
        }
        return h.getLong(24);
      }
    }
    try (var image = dev.kiln.formats.registry.FormatRegistry.standard().open(base)) {
      return image.virtualSize();
    }
  }

  @Override
  public String name() {
    return spec.name();
  }

  /** The accelerator the machine runs with (KVM or TCG). */
  public Accelerator accelerator() {
    return accelerator;
  }

  @Override
  public Optional<Accelerator> acceleratorInUse() {
    return started ? Optional.of(accelerator) : Optional.empty();
  }

  /**
   * libvirt's CPU time of the running domain; a domain that stopped reports none, so the
   * largest value seen is kept (callers sample while it runs).
   */
  @Override
  public synchronized Optional<Duration> cpuTime() {
    if (!started) {
      return Optional.empty();
    }
    if (!closed && isActive()) {
      try {
        cpuNanos = Math.max(cpuNanos, domain.getInfo().cpuTime);
      } catch (LibvirtException e) {
        // stopped between the two calls: the last sample stands
      }
    }
    return Optional.of(Duration.ofNanos(cpuNanos));
  }

  /** Where QEMU writes the serial console. */
  public Path consoleFile() {
    return consoleFile;
  }

  /** The machine's directory on its host (remote path for remote hosts). */
  public Path directory() {
    return store.hostDirectory();
  }

  /** The disks as attached, overlays resolved, paths as the host sees them. */
  public List<MachineSpec.Disk> attachedDisks() {
    return placed.disks();
  }

  @Override
  public synchronized void start() throws MachineException {
    if (closed) {
      throw new MachineException("machine " + name() + " is closed");
    }
    if (started && isActive()) {
      throw new MachineException("machine " + name() + " is already running");
    }
    try {
      connection.connect().addLifecycleListener(listener);
    } catch (LibvirtException e) {
      throw new MachineException("libvirt lifecycle events unavailable: " + e.getMessage(), e);
    }
    MachineException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        launch();
        watchKvm();
        return;
      } catch (MachineException e) {
        last = e;
        if (PORT_CLASH.stream().noneMatch(m -> String.valueOf(e.getMessage()).contains(m))) {
          break;
        }
        releasePorts(); // a non-Kiln process took a port after the check: take others
      }
    }
    throw last;
  }

  private void launch() throws MachineException {
    try {
      releasePorts();
      Map<Integer, Integer> hostPorts = new LinkedHashMap<>();
      for (int guestPort : spec.forwardedGuestPorts()) {
        LoopbackPorts.Reservation r = ports.reserve();
        forwards.put(guestPort, r);
        hostPorts.put(guestPort, r.port());
      }
      consoleFile = store.hostFile("console.log");
      if (console != null) {
        console.rewind();
      }
      domainXml = DomainDefinition.build(placed, placed.disks(), accelerator, hostPorts,
          consoleFile, store.hostDirectory(), Instant.now());
      stopped = new CountDownLatch(1);
      domain = connection.connect().domainCreateXML(domainXml, 0);
      started = true;
      if (console == null) {
        console = new ConsoleFollower(store.reader("console.log"), spec.consoleLog(), events,
            buildId, name());
        console.start();
      }
    } catch (LibvirtException e) {
      throw new MachineException("libvirt could not start " + name() + ": "
          + firstLine(e.getMessage()), e);
    } catch (IOException e) {
      throw new MachineException("preparing " + name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Under {@code accelerator: auto}, a KVM that passed the probe may still fail this guest:
   * watch the first seconds and restart under TCG (with a warning) when QEMU reports a KVM
   * failure.
   */
  private void watchKvm() throws MachineException {
    if (!autoAccelerator || accelerator != Accelerator.KVM) {
      return;
    }
    Instant end = Instant.now().plusSeconds(10);
    try {
      while (Instant.now().isBefore(end) && isActive()) {
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Optional<String> failure = kvmFailureInLog();
    if (failure.isPresent()) {
      destroy();
      accelerator = Accelerator.TCG;
      events.dispatch(new KilnEvent.Warning(buildId, Instant.now(), "accel.fallback",
          "KVM failed to run " + name() + " (" + failure.get() + "); restarting under TCG, "
              + "which is much slower"));
      launch();
    }
  }

  private Optional<String> kvmFailureInLog() {
    for (String line : libvirtLogTail(200)) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (ProbeRun.KVM_FAILURES.stream().anyMatch(f -> lower.contains(f.toLowerCase(
          Locale.ROOT)))) {
        return Optional.of(line.strip());
      }
    }
    return Optional.empty();
  }

  private int onLifecycle(Domain d, DomainEvent event) {
    try {
      if (!name().equals(d.getName())) {
        return 0;
      }
    } catch (LibvirtException e) {
      return 0;
    }
    if (event.getType() == DomainEventType.STOPPED) {
      Object detail = event.getDetail();
      lastStop = detail == StoppedDetail.CRASHED || detail == StoppedDetail.FAILED
          ? MachineState.CRASHED : MachineState.SHUT_OFF;
      stopped.countDown();
    } else if (event.getType() == DomainEventType.CRASHED) {
      lastStop = MachineState.CRASHED;
    }
    return 0;
  }

  @Override
  public MachineState state() throws MachineException {
    if (!started) {
      return MachineState.DEFINED;
    }
    if (stopped.getCount() == 0 || !isActive()) {
      return lastStop;
    }
    try {
      DomainInfo.DomainState s = domain.getInfo().state;
      return switch (s) {
        case VIR_DOMAIN_PAUSED -> MachineState.PAUSED;
        case VIR_DOMAIN_CRASHED -> MachineState.CRASHED;
        case VIR_DOMAIN_SHUTOFF -> lastStop;
        default -> MachineState.RUNNING;
      };
    } catch (LibvirtException e) {
      return lastStop; // a transient domain that stopped no longer exists
    }
  }

  boolean isActive() {
    try {
      return domain != null && domain.isActive() == 1;
    } catch (LibvirtException e) {
      return false;
    }
  }

  @Override
  public boolean awaitPowerOff(Duration timeout) throws MachineException, InterruptedException {
    if (!started) {
      throw new MachineException("machine " + name() + " was never started");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    // The event decides; a state check every 30 s covers an event lost with a dropped
    // connection.
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return !isActive();
      }
      if (stopped.await(Math.min(left, TimeUnit.SECONDS.toNanos(30)), TimeUnit.NANOSECONDS)
          || !isActive()) {
        return true;
      }
    }
  }

  @Override
  public void shutdown(Duration timeout) throws MachineException, InterruptedException {
    if (!isActive()) {
      return;
    }
    try {
      domain.shutdown();
    } catch (LibvirtException e) {
      if (isActive()) {
        throw new MachineException("ACPI shutdown of " + name() + " failed: "
            + firstLine(e.getMessage()), e);
      }
      return;
    }
    if (!awaitPowerOff(timeout)) {
      events.dispatch(new KilnEvent.Warning(buildId, Instant.now(), "machine.forced-off",
          name() + " did not power off within " + timeout.toSeconds() + " s of the ACPI "
              + "request; forcing it off"));
      destroy();
    }
  }

  @Override
  public void destroy() throws MachineException {
    try {
      if (isActive()) {
        domain.destroy();
      }
    } catch (LibvirtException e) {
      if (isActive()) {
        throw new MachineException("could not force " + name() + " off: "
            + firstLine(e.getMessage()), e);
      }
    }
  }

  /** virDomainInterfaceAddressesSource: the network's DHCP leases, then the guest agent. */
  private static final int ADDRESSES_FROM_LEASES = 0;
  private static final int ADDRESSES_FROM_AGENT = 1;

  @Override
  public Optional<InetSocketAddress> forwardedPort(int guestPort) throws MachineException {
    if (spec.libvirtNetwork().isPresent()) { // production host: the guest's own address
      return guestAddress().map(a -> new InetSocketAddress(a, guestPort));
    }
    LoopbackPorts.Reservation r = forwards.get(guestPort);
    if (r == null) {
      return Optional.empty();
    }
    // a remote host's loopback is reached through an SSH tunnel to that host
    synchronized (this) {
      InetSocketAddress reached = reachedPorts.get(guestPort);
      if (reached == null) {
        reached = connection.reach(r.port());
        reachedPorts.put(guestPort, reached);
      }
      return Optional.of(reached);
    }
  }

  /** The guest's IPv4 address on its libvirt network, from DHCP leases or the guest agent. */
  private Optional<java.net.InetAddress> guestAddress() {
    if (!isActive()) {
      return Optional.empty();
    }
    for (int source : new int[] {ADDRESSES_FROM_LEASES, ADDRESSES_FROM_AGENT}) {
      try {
        for (org.libvirt.DomainInterface nic : domain.interfaceAddresses(source, 0)) {
          for (org.libvirt.DomainInterface.InterfaceAddress a : nic.addrs) {
            if (a.address instanceof java.net.Inet4Address && !a.address.isLoopbackAddress()) {
              return Optional.of(a.address);
            }
          }
        }
      } catch (LibvirtException e) {
        // no lease yet, or no agent: try the next source
      }
    }
    return Optional.empty();
  }

  @Override
  public List<String> consoleTail(int lines) {
    return console == null ? List.of() : console.tail(lines);
  }

  /** Console bytes seen so far (0 before start). */
  public long consoleBytes() {
    return console == null ? 0 : console.bytesSeen();
  }

  /** The domain XML as started (empty before start). */
  public String domainXml() {
    return domainXml;
  }

  /** The last lines of libvirt's log of this domain (local hosts only). */
  public List<String> libvirtLogTail(int lines) {
    if (!connection.isLocal()) {
      return List.of();
    }
    Path log = Path.of("/var/log/libvirt/qemu", name() + ".log");
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public String diagnostics() {
    StringBuilder b = new StringBuilder();
    b.append("machine ").append(name()).append(" on ").append(connection.uri())
        .append(" accelerator ").append(accelerator).append('\n');
    b.append("--- console (last 40 lines)\n");
    consoleTail(40).forEach(l -> b.append(l).append('\n'));
    b.append("--- libvirt log (last 15 lines)\n");
    libvirtLogTail(15).forEach(l -> b.append(l).append('\n'));
    b.append("--- domain XML\n").append(domainXml).append('\n');
    return b.toString();
  }

  private synchronized void releasePorts() {
    reachedPorts.values().forEach(connection::release);
    reachedPorts.clear();
    forwards.values().forEach(LoopbackPorts.Reservation::close);
    forwards.clear();
  }

  @Override
  public synchronized void close() throws MachineException {
    if (closed) {
      return;
    }
    closed = true;
    MachineException failure = null;
    try {
      destroy();
    } catch (MachineException e) {
      failure = e;
    }
    if (console != null) {
      console.close();
    }
    try {
      connection.connect().removeLifecycleListener(listener);
    } catch (LibvirtException | RuntimeException ignored) {
      // the connection may be gone; the listener dies with it
    }
    releasePorts();
    try {
      store.close();
    } catch (IOException e) {
      failure = failure != null ? failure : new MachineException("removing "
          + store.hostDirectory() + ": " + e.getMessage(), e);
    }
    if (connection.isLocal()) {
      try {
        Files.deleteIfExists(Path.of("/var/log/libvirt/qemu", name() + ".log"));
      } catch (IOException ignored) {
        // libvirt's own log; harmless if it stays
      }
    }
    OpenMachines.remove(this);
    if (failure != null) {
      throw failure;
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
