package dev.kiln.kvm.internal;

import dev.kiln.api.MachineException;
import java.net.URI;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** Opens libvirt connections with errors that say what to do. */
public final class LibvirtConnections {
  /** Errors reach callers as exceptions; libvirt's default handler would also print them. */
  private static final org.libvirt.jna.Libvirt.VirErrorCallback SILENT = (userData, error) -> { };

  private LibvirtConnections() {}

  public static LibvirtConnection open(URI uri) throws MachineException {
    try {
      Connect.setErrorCallback(SILENT);
      LibvirtEventLoop.ensureStarted();
      Connect connect = new Connect(SshRoute.withoutKilnParameters(uri).toString(), false);
      if (!isLocalUri(uri)) {
        connect.setKeepAlive(5, 3); // notice a dead remote host in ~20 s instead of never
      }
      return new LibvirtConnection(uri, connect);
    } catch (LibvirtException e) {
      throw new MachineException("cannot connect to libvirt at " + uri + ": " + e.getMessage()
          + (isLocalUri(uri) ? " (is libvirtd running? start it with 'libvirtd -d' or "
          + "scripts/host-setup.sh)" : " (can this user reach the host, e.g. 'ssh "
          + uri.getHost() + "' without a password, and does it run libvirtd?)"), e);
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new MachineException("the libvirt client library is not installed "
          + "(apt-get install libvirt0): " + e.getMessage(), e);
    }
  }

  public static boolean isLocalUri(URI uri) {
    return uri.getHost() == null || uri.getHost().isEmpty();
  }

  /** A libvirt version number (major * 1,000,000 + minor * 1,000 + release) as text. */
  public static String versionText(long version) {
    return (version / 1_000_000) + "." + (version / 1_000 % 1_000) + "." + (version % 1_000);
  }
}
