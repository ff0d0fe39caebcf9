package dev.kiln.kvm.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The file side of {@code kiln clean}: machine directories and probe files. */
public final class LeftoverFiles {
  /** One thing removed (or, in a dry run, that would be): its kind and its name or path. */
  public record Removal(String kind, String what) {}

  private LeftoverFiles() {}

  /**
   * Removes Kiln machine pools on a (remote) libvirt host whose owner process has exited on
   * this host, with every volume in them.
   */
  public static List<Removal> cleanPools(org.libvirt.Connect connect, boolean dryRun) {
    List<Removal> removed = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try {
      names.addAll(List.of(connect.listStoragePools()));
      names.addAll(List.of(connect.listDefinedStoragePools()));
    } catch (org.libvirt.LibvirtException e) {
      return removed;
    }
    for (String name : names) {
      if (!name.startsWith(PoolStore.POOL_PREFIX) || name.equals(MediaCache.POOL)) {
        continue;
      }
      try {
        org.libvirt.StoragePool pool = connect.storagePoolLookupByName(name);
        if (pool.isActive() == 0) {
          pool.create(0);
        }
        boolean gone = OwnerRecord.parse(PoolStore.readOwner(connect, pool))
            .map(OwnerRecord::isGoneFromThisHost).orElse(false);
        if (gone) {
          if (!dryRun) {
            PoolStore.removePool(pool);
          }
          removed.add(new Removal("pool", name));
        }
      } catch (org.libvirt.LibvirtException e) {
        // no owner record (not Kiln's, or still being made) or gone meanwhile: leave it
      }
    }
    return removed;
  }

  public static boolean isAbandoned(Path machineDir) {
    return MachineDirectory.isAbandoned(machineDir);
  }

  public static List<Removal> clean(Path machines, Set<Path> live,
      Duration probeMaxAge, boolean dryRun) throws IOException {
    List<Removal> removed = new ArrayList<>();
    if (Files.isDirectory(machines)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(machines)) {
        for (Path dir : dirs) {
          if (!live.contains(dir) && Files.isDirectory(dir)
              && MachineDirectory.isAbandoned(dir)) {
            if (!dryRun) {
              MachineDirectory.deleteTree(dir);
            }
            removed.add(new Removal("directory", dir.toString()));
          }
        }
      }
    }
    Instant cutoff = Instant.now().minus(probeMaxAge);
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> probes = Files.newDirectoryStream(tmp, "kiln-probe-*")) {
      for (Path dir : probes) {
        FileTime modified = Files.getLastModifiedTime(dir);
        if (modified.toInstant().isBefore(cutoff)) {
          if (!dryRun) {
            MachineDirectory.deleteTree(dir);
          }
          removed.add(new Removal("directory", dir.toString()));
        }
      }
    }
    // Port lock files stay: deleting one another process is about to lock would let two
    // processes hold "the same" lock on different inodes. They are empty and bounded in number.
    return removed;
  }
}
