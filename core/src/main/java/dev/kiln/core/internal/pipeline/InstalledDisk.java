package dev.kiln.core.internal.pipeline;

import dev.kiln.core.internal.ssh.BuildKey;
import java.nio.file.Path;

/** A disk with the OS on it, and the build key its build user accepts. */
record InstalledDisk(Path file, String format, BuildKey key) {}
