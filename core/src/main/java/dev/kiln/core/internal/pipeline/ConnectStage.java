package dev.kiln.core.internal.pipeline;

import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.MachineException;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.MachineSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Connect: boots the installed disk through an overlay (grown to the recipe's disk size) with
 * a cloud-init seed that authorizes the build key, connects at the address the machine gives
 * for its SSH port, waits for cloud-init, and carries the package proxy into the guest.
 */
final class ConnectStage {
  /** Mirrors the built-in package proxy lets the guest reach (plain HTTP only). */
  static final Set<String> DEFAULT_MIRRORS = Set.of("deb.debian.org", "security.debian.org",
      "archive.ubuntu.com", "security.ubuntu.com");
  /** Where the guest finds the package proxy: its own loopback, carried by the connection. */
  static final int GUEST_PROXY_PORT = 3142;

  private final BuildContext ctx;

  ConnectStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  GuestSession connect(InstalledDisk disk) throws Exception {
    Path seed = ctx.scratch("seed.iso");
    IsoImageWriter.builder("CIDATA")
        .addFile("user-data", CloudInitSeed.userData(BuildContext.BUILD_USER,
            disk.key().publicKey(), ctx.recipe.answers()).getBytes(StandardCharsets.UTF_8))
        .addFile("meta-data", ("instance-id: kiln-" + ctx.settings.buildId()
            + "\nlocal-hostname: kiln-build\n").getBytes(StandardCharsets.UTF_8))
        .writeTo(seed);
    MachineSpec.Builder builder = ctx.machineSpec("build")
        .addDisk(MachineSpec.Disk.overlayOn(disk.file(), disk.format(),
            ctx.recipe.machine().diskSizeBytes()))
        .addCdrom(seed).forwardGuestPort(22);
    if (disk.media()) {
      builder.media(disk.file());
    }
    MachineSpec spec = builder.build();
    RunningMachine machine = ctx.createMachine(spec);
    machine.machine().start();
    InetSocketAddress address = machine.machine().forwardedPort(22).orElseThrow(() ->
        new MachineException(machine.machine().name() + " gives no address for SSH"));
    Communicator guest = ctx.settings.connector().connect(address, BuildContext.BUILD_USER,
        disk.key(), ctx.settings.sshTimeout(), machine.machine(), ctx.events);
    CleanupStack.Entry connection = ctx.cleanup.push("connection to " + address, guest::close);
    guest.exec(ExecRequest.of("cloud-init status --wait >/dev/null 2>&1 || true",
        Duration.ofMinutes(15)));
    int proxyPort;
    if (ctx.settings.packageProxyPort().isPresent()) {
      proxyPort = ctx.settings.packageProxyPort().get();
    } else {
      Set<String> hosts = new HashSet<>(DEFAULT_MIRRORS);
      if (ctx.recipe.source() instanceof DebootstrapSource d && d.mirror().getHost() != null) {
        hosts.add(d.mirror().getHost().toLowerCase(Locale.ROOT));
      }
      PackageProxy proxy = PackageProxy.start(hosts);
      ctx.cleanup.push("package proxy on port " + proxy.port(), proxy::close);
      proxyPort = proxy.port();
    }
    guest.forwardRemote(GUEST_PROXY_PORT, proxyPort);
    return new GuestSession(machine, guest, connection, disk.key());
  }
}
