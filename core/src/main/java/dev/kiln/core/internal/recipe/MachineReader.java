package dev.kiln.core.internal.recipe;

import dev.kiln.api.Accelerator;
import dev.kiln.api.Firmware;
import dev.kiln.api.GuestForward;
import dev.kiln.api.MachineSettings;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The recipe's {@code machine:} section: the build machine's settings. */
final class MachineReader {
  static final long MAX_DISK = 64L << 40;

  private MachineReader() {}

  static MachineSettings read(MapReader m) {
    MachineSettings.Builder b = MachineSettings.builder();
    b.cpus((int) m.integer("cpus", 1, 256, 2));
    OptionalLong memory = m.size("memory", 256L << 20, 4L << 40);
    memory.ifPresent(bytes -> b.memoryMiB(bytes >> 20));
    OptionalLong disk = m.size("diskSize", 1L << 30, MAX_DISK);
    if (disk.isPresent()) {
      if (disk.getAsLong() % 512 != 0) {
        m.problem("diskSize", "must be a multiple of 512 bytes");
      } else {
        b.diskSizeBytes(disk.getAsLong());
      }
    }
    Firmware firmware = m.enumValue("firmware", Firmware.class, Firmware.BIOS);
    b.firmware(firmware);
    boolean secureBoot = m.bool("secureBoot", false);
    if (secureBoot && firmware != Firmware.UEFI) {
      m.problem("secureBoot", "secure boot needs 'firmware: uefi'");
    } else {
      b.secureBoot(secureBoot);
    }
    b.accelerator(m.enumValue("accelerator", Accelerator.class, Accelerator.AUTO));
    m.string("connect").ifPresent(text -> {
      String problem = text.matches("[a-z0-9+]+://.*") ? null
          : "expected a libvirt URI such as qemu:///system or qemu+ssh://host/system";
      if (problem != null) {
        m.problem("connect", problem + ", was '" + text + "'");
      } else {
        b.libvirtUri(URI.create(text));
      }
    });
    Optional<String> network = m.string("network");
    network.ifPresent(n -> {
      if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        m.problem("network", "a libvirt network name is 1-64 of [A-Za-z0-9._-], was '" + n
            + "'");
      } else {
        b.libvirtNetwork(n);
      }
    });
    b.vnc(m.bool("vnc", false));
    List<GuestForward> forwards = m.list("guestForwards", MapReader.mapItems(MachineReader::readForward));
    if (network.isPresent() && !forwards.isEmpty()) {
      m.problem("guestForwards", "guest forwards need QEMU user networking; leave out "
          + "'network' or the forwards");
    } else {
      b.guestForwards(forwards);
    }
    m.finish();
    return b.build();
  }

  /** {@code {address: 10.0.2.100, port: 3142, hostPort: 3142}}. */
  private static GuestForward readForward(MapReader m) {
    String address = m.string("address").orElse("10.0.2.100");
    long port = m.integer("port", 1, 65535, 0);
    long hostPort = m.integer("hostPort", 1, 65535, 0);
    if (!m.has("port") || !m.has("hostPort")) {
      m.problem(m.has("port") ? "hostPort" : "port", "a guest forward needs port and hostPort");
    }
    if (!address.matches("10\\.0\\.2\\.(\\d{1,3})")) {
      m.problem("address", "guest forwards live in QEMU's 10.0.2.0/24 network, was '" + address
          + "'");
      address = null;
    }
    return address == null || port == 0 || hostPort == 0 ? null
        : new GuestForward(address, (int) port, (int) hostPort);
  }
}
