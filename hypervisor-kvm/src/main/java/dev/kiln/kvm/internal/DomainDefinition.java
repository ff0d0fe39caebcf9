package dev.kiln.kvm.internal;

import dev.kiln.api.Accelerator;
import dev.kiln.api.Firmware;
import dev.kiln.spi.MachineSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The libvirt domain XML of a build machine, built through DOM from a {@link MachineSpec}: q35
 * machine, BIOS or UEFI (libvirt's firmware auto-selection, optional secure boot), virtio disks,
 * SATA CD-ROMs (installer first, then seeds), direct kernel boot, serial console to a file, the
 * guest-agent channel, and QEMU user networking with {@code restrict=on} whose only ways in are
 * {@code hostfwd} ports on 127.0.0.1 (libvirt's {@code <interface type='user'>} cannot say
 * {@code restrict}, so it is passed through {@code <qemu:commandline>}).
 */
public final class DomainDefinition {
  static final String QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0";

  private DomainDefinition() {}

  /**
   * @param accelerator the resolved accelerator: KVM or TCG (never AUTO)
   * @param forwards guest port to the host port on 127.0.0.1 it is forwarded from
   * @param consoleLog where the serial console is written
   */
  public static String build(MachineSpec spec, Accelerator accelerator, Map<Integer, Integer>
      forwards, Path consoleLog, Instant created) {
    return build(spec, spec.disks(), accelerator, forwards, consoleLog, null, created);
  }

  /**
   * @param disks the disks to attach, overlays already resolved to the files QEMU opens
   * @param workDir the machine's directory on the host, recorded for {@code kiln clean}
   */
  public static String build(MachineSpec spec, List<MachineSpec.Disk> disks,
      Accelerator accelerator, Map<Integer, Integer> forwards, Path consoleLog, Path workDir,
      Instant created) {
    if (accelerator == Accelerator.AUTO) {
      throw new IllegalArgumentException("resolve AUTO to KVM or TCG first");
    }
    Objects.requireNonNull(consoleLog);
    Xml d = Xml.root("domain").attr("type", accelerator == Accelerator.KVM ? "kvm" : "qemu")
        .namespace("qemu", QEMU_NS);
    d.text("name", spec.name());
    KilnMetadata.append(d, spec.labels().getOrDefault("build", spec.name()), created, workDir);
    d.child("memory").attr("unit", "MiB").text(Long.toString(spec.memoryMiB()));
    d.text("vcpu", Integer.toString(spec.cpus()));
    Xml os = d.child("os");
    if (spec.firmware() == Firmware.UEFI) {
      os.attr("firmware", "efi");
    }
    os.child("type").attr("arch", "x86_64").attr("machine", "q35").text("hvm");
    if (spec.firmware() == Firmware.UEFI) {
      Xml fw = os.child("firmware");
      fw.child("feature").attr("enabled", spec.secureBoot() ? "yes" : "no")
          .attr("name", "secure-boot");
      fw.child("feature").attr("enabled", spec.secureBoot() ? "yes" : "no")
          .attr("name", "enrolled-keys");
    }
    spec.kernelBoot().ifPresent(k -> {
      os.text("kernel", k.kernel().toString());
      os.text("initrd", k.initrd().toString());
      os.text("cmdline", k.commandLine());
    });
    if (spec.kernelBoot().isEmpty()) { // an installer CD boots first; the disk after it
      if (!spec.cdroms().isEmpty()) {
        os.child("boot").attr("dev", "cdrom");
      }
      if (!spec.disks().isEmpty()) {
        os.child("boot").attr("dev", "hd");
      }
    }
    Xml features = d.child("features");
    features.child("acpi");
    features.child("apic");
    if (spec.secureBoot()) {
      features.child("smm").attr("state", "on");
    }
    // KVM: the host's CPU (fastest); TCG: everything QEMU can emulate
    d.child("cpu").attr("mode", accelerator == Accelerator.KVM ? "host-passthrough" : "maximum");
    d.child("clock").attr("offset", "utc");
    d.text("on_poweroff", "destroy")
        .text("on_reboot", spec.rebootEndsMachine() ? "destroy" : "restart")
        .text("on_crash", "destroy");
    Xml devices = d.child("devices");
    char letter = 'a';
    for (MachineSpec.Disk disk : disks) {
      Xml x = devices.child("disk").attr("type", "file").attr("device", "disk");
      // the guest's trims free the overlay's clusters, and the zeros generalize writes into
      // free space become zero clusters instead of allocated ones
      x.child("driver").attr("name", "qemu").attr("type", disk.format()).attr("discard", "unmap")
          .attr("detect_zeroes", "unmap");
      x.child("source").attr("file", disk.file().toString());
      x.child("target").attr("dev", "vd" + letter++).attr("bus", "virtio");
      if (disk.readOnly()) {
        x.child("readonly");
      }
    }
    letter = 'a';
    for (Path iso : spec.cdroms()) {
      Xml x = devices.child("disk").attr("type", "file").attr("device", "cdrom");
      x.child("driver").attr("name", "qemu").attr("type", "raw");
      x.child("source").attr("file", iso.toString());
      x.child("target").attr("dev", "sd" + letter++).attr("bus", "sata");
      x.child("readonly");
    }
    Xml serial = devices.child("serial").attr("type", "file");
    serial.child("source").attr("path", consoleLog.toString()).attr("append", "off");
    serial.child("target").attr("port", "0");
    Xml agent = devices.child("channel").attr("type", "unix");
    agent.child("target").attr("type", "virtio").attr("name", "org.qemu.guest_agent.0");
    devices.child("rng").attr("model", "virtio").child("backend").attr("model", "random")
        .text("/dev/urandom");
    devices.child("memballoon").attr("model", "none");
    if (spec.vnc()) { // never on a public address: the console of a build holds secrets
      devices.child("graphics").attr("type", "vnc").attr("port", "-1").attr("autoport", "yes")
          .attr("listen", "127.0.0.1").child("listen").attr("type", "address")
          .attr("address", "127.0.0.1");
      devices.child("video").child("model").attr("type", "virtio");
    }
    if (spec.libvirtNetwork().isPresent()) {
      Xml nic = devices.child("interface").attr("type", "network");
      nic.child("source").attr("network", spec.libvirtNetwork().get());
      nic.child("model").attr("type", "virtio");
      return d.serialize();
    }
    StringJoiner netdev = new StringJoiner(",");
    netdev.add("user").add("id=kiln0").add("restrict=on");
    forwards.forEach((guest, host) -> netdev.add("hostfwd=tcp:127.0.0.1:" + host + "-:" + guest));
    // cmd: opens a fresh loopback connection per guest connection (the tcp: form connects once);
    // it needs libvirt's QEMU seccomp sandbox lifted (seccomp_sandbox = 0)
    spec.guestForwards().forEach(f -> netdev.add("guestfwd=tcp:" + f.guestAddress() + ":"
        + f.guestPort() + "-cmd:nc 127.0.0.1 " + f.hostPort()));
    Xml cmd = d.child(QEMU_NS, "qemu:commandline");
    for (String arg : new String[] {"-netdev", netdev.toString(), "-device",
        "virtio-net-pci,netdev=kiln0,bus=pcie.0,addr=0x1e"}) {
      cmd.child(QEMU_NS, "qemu:arg").attr("value", arg);
    }
    return d.serialize();
  }
}
