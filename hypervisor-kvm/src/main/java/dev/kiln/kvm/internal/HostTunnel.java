package dev.kiln.kvm.internal;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.Session;
import dev.kiln.api.MachineException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One SSH connection to a remote libvirt host (jsch), carrying local forwards from this
 * machine's 127.0.0.1 to ports on the host's 127.0.0.1, where QEMU's {@code hostfwd} puts a
 * build guest's SSH port. The build's guest connection runs through such a forward, and so do
 * the remote forwards it opens into the guest (the package proxy): two hops, one loopback
 * listener on each side, nothing on any other address. The host's key must be in the route's
 * known-hosts file; an unknown or changed key ends the connection with a sentence saying so.
 * Opened on first use, reopened when a forward finds it dead, closed with the connection.
 */
final class HostTunnel implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MS = 20_000;

  private final SshRoute route;
  private Session session;
  private boolean closed;

  HostTunnel(SshRoute route) {
    this.route = route;
  }

  SshRoute route() {
    return route;
  }

  /** A port on this machine's 127.0.0.1 that reaches {@code hostPort} on the host's. */
  synchronized int forward(int hostPort) throws MachineException {
    if (closed) {
      throw new MachineException("the SSH tunnel to " + route + " is closed");
    }
    try {
      return session().setPortForwardingL("127.0.0.1", 0, "127.0.0.1", hostPort);
    } catch (JSchException e) {
      throw new MachineException("cannot forward to port " + hostPort + " on " + route.host()
          + "'s loopback through SSH (" + route + "): " + e.getMessage(), e);
    }
  }

  /** Stops forwarding {@code localPort}; harmless when the connection is gone. */
  synchronized void release(int localPort) {
    if (session != null && session.isConnected()) {
      try {
        session.delPortForwardingL("127.0.0.1", localPort);
      } catch (JSchException gone) {
        // the connection ended meanwhile: the listener went with it
      }
    }
  }

  private Session session() throws MachineException {
    if (session != null && session.isConnected()) {
      return session;
    }
    if (!Files.isReadable(route.knownHosts())) {
      throw new MachineException("cannot verify " + route.host() + "'s SSH host key: "
          + route.knownHosts() + " is missing (add the host's key to it after checking its "
          + "fingerprint, e.g. with ssh-keyscan, or name a file with known_hosts= in the URI)");
    }
    if (route.identities().isEmpty()) {
      throw new MachineException("no SSH key to log in to " + route + " with: name one with "
          + "keyfile= in the URI");
    }
    try {
      JSch jsch = new JSch();
      jsch.setKnownHosts(route.knownHosts().toString());
      for (Path identity : route.identities()) {
        jsch.addIdentity(identity.toString());
      }
      Session s = jsch.getSession(route.user(), route.host(), route.port());
      s.setConfig("StrictHostKeyChecking", "yes");
      s.setConfig("PreferredAuthentications", "publickey");
      s.setServerAliveInterval(5_000); // a dead host is noticed in about 15 s
      s.setServerAliveCountMax(3);
      s.connect(CONNECT_TIMEOUT_MS);
      session = s;
      return s;
    } catch (JSchUnknownHostKeyException e) {
      throw new MachineException(route.host() + "'s SSH host key is not in "
          + route.knownHosts() + ": Kiln does not trust a host it has not been told about "
          + "(add the key after checking its fingerprint)", e);
    } catch (JSchChangedHostKeyException e) {
      throw new MachineException(route.host() + "'s SSH host key differs from the one in "
          + route.knownHosts() + ": refusing the connection (a changed host, or someone in "
          + "between)", e);
    } catch (JSchException e) {
      throw new MachineException("cannot open the SSH tunnel to " + route + ": "
          + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (session != null) {
      session.disconnect();
      session = null;
    }
  }
}
