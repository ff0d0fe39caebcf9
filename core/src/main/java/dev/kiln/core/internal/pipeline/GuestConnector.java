package dev.kiln.core.internal.pipeline;

import dev.kiln.api.CommunicatorException;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.core.internal.ssh.SshCommunicator;
import dev.kiln.core.internal.ssh.SshEndpoint;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Machine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/** Opens the build's connection to a guest at the address its machine gives for SSH. */
@FunctionalInterface
public interface GuestConnector {
  Communicator connect(InetSocketAddress address, String user, BuildKey key, Duration deadline,
      Machine machine, BuildEvents events) throws CommunicatorException, InterruptedException;

  /** Kiln's SSH communicator (jsch), waiting with {@code SshWait}'s reasons. */
  static GuestConnector ssh() {
    return (address, user, key, deadline, machine, events) -> SshCommunicator.connect(
        new SshEndpoint(address.getHostString(), address.getPort(), user, key), deadline,
        Optional.of(machine), events.handlers(), events.buildId());
  }
}
