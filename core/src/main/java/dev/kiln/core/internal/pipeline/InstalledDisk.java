package dev.kiln.core.internal.pipeline;

import dev.kiln.core.internal.ssh.BuildKey;
import java.nio.file.Path;

/**
 * A disk with the OS on it, and the build key its build user accepts.
 *
 * @param media whether the disk is a verified, unchanging file shared by builds (a cloud
 *     image, a cached install), which a remote host keeps in its media cache
 */
record InstalledDisk(Path file, String format, BuildKey key, boolean media) {}
