package dev.kiln.kvm.internal;

import dev.kiln.api.MachineException;
import java.net.URI;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** An open libvirt connection that closes like any other resource. */
public final class LibvirtConnection implements AutoCloseable {
  private final URI uri;
  private final Connect connect;

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
    return uri.getHost() == null || uri.getHost().isEmpty();
  }

  @Override
  public void close() throws MachineException {
    try {
      connect.close();
    } catch (LibvirtException e) {
      throw new MachineException("closing libvirt connection " + uri + ": " + e.getMessage(), e);
    }
  }
}
