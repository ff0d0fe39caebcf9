package dev.kiln.core.internal.pipeline;

import dev.kiln.spi.Machine;

/** A machine and its cleanup entry: {@link #close()} removes it now rather than at the end. */
record RunningMachine(Machine machine, CleanupStack.Entry cleanup) {
  void close() {
    cleanup.release();
  }
}
