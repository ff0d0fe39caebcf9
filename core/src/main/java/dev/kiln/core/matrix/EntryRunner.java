package dev.kiln.core.matrix;

import dev.kiln.api.BuildResult;

/** Runs one entry on one host (in production: a {@code Build} against the host's URI). */
@FunctionalInterface
public interface EntryRunner {
  BuildResult run(MatrixEntry entry, BuildHost host) throws Exception;
}
