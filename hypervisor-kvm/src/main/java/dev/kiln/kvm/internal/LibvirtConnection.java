package dev.kiln.kvm.internal;

import dev.kiln.api.MachineException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * An open libvirt connection that closes like any other resource, with the way to the host's
 * loopback (an SSH tunnel for a remote host) that its machines' forwarded ports need.
 */
public final class LibvirtConnection implements AutoCloseable {
  private final URI uri;
  private final Connect connect;
  private HostTunnel tunnel;

  LibvirtConnection(URI uri, Connect connect) {
    this.uri = uri;
    this.connect = connect;
  }

  public URI uri() {
    return uri;
  }

  public Connect connect() {
    return connect;
  }

  /** Whether the connection reaches the local host (so local log files can be read). */
  public boolean isLocal() {
    return LibvirtConnections.isLocalUri(uri);
  }

  /**
   * Where this machine reaches {@code hostPort} on the host's 127.0.0.1: that address itself
   * for a local host, else a local forward through the host tunnel (release it with
   * {@link #release}).
   */
  synchronized InetSocketAddress reach(int hostPort) throws MachineException {
    if (isLocal()) {
      return new InetSocketAddress("127.0.0.1", hostPort);
    }
    if (tunnel == null) {
      try {
        tunnel = new HostTunnel(SshRoute.of(uri).orElseThrow());
      } catch (IllegalArgumentException e) {
        throw new MachineException(e.getMessage(), e);
      }
    }
    return new InetSocketAddress("127.0.0.1", tunnel.forward(hostPort));
  }

  /** Ends a forward {@link #reach} made; nothing for a local host. */
  synchronized void release(InetSocketAddress reached) {
    if (tunnel != null) {
      tunnel.release(reached.getPort());
    }
  }

  @Override
  public void close() throws MachineException {
    synchronized (this) {
      if (tunnel != null) {
        tunnel.close();
      }
    }
    try {
      connect.close();
    } catch (LibvirtException e) {
      throw new MachineException("closing libvirt connection " + uri + ": " + e.getMessage(), e);
    }
  }
}
