package dev.kiln.core.internal.pipeline;

import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.spi.Communicator;

/** The connect stage's result: the build machine running, and the connection into it. */
record GuestSession(RunningMachine machine, Communicator guest, CleanupStack.Entry connection,
    BuildKey key) {
  /** Ends the connection now (the guest is going away). */
  void disconnect() {
    connection.release();
  }
}
