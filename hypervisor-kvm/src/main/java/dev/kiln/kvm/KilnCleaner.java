package dev.kiln.kvm;

import dev.kiln.api.MachineException;
import dev.kiln.kvm.internal.DomainMark;
import dev.kiln.kvm.internal.KvmMachines;
import dev.kiln.kvm.internal.LeftoverFiles;
import dev.kiln.kvm.internal.LibvirtConnection;
import dev.kiln.kvm.internal.LibvirtConnections;
import dev.kiln.kvm.internal.MediaCache;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Removes what killed builds left behind: domains carrying Kiln's metadata whose owning
 * process is gone (their machine directory is no longer locked), those directories with their
 * disks and console logs, and probe domains and probe files older than {@link #PROBE_MAX_AGE}.
 * Domains without Kiln's mark and directories a live build holds are never
 * touched. This is what {@code kiln clean} runs.
 */
public final class KilnCleaner {
  /** A probe lives for seconds; one older than this was abandoned. */
  public static final Duration PROBE_MAX_AGE = Duration.ofMinutes(10);

  /** One thing removed (or, in a dry run, that would be). */
  public record Removed(String kind, String what) {}

  private KilnCleaner() {}

  /**
   * @param dryRun report only
   * @return what was removed, in order
   */
  public static List<Removed> clean(URI libvirtUri, Path workRoot, boolean dryRun)
      throws MachineException {
    List<Removed> removed = new ArrayList<>();
    Set<Path> liveDirs = new LinkedHashSet<>();
    try (LibvirtConnection connection = LibvirtConnections.open(libvirtUri)) {
      for (Domain d : domains(connection.connect())) {
        try {
          Optional<DomainMark> mark = DomainMark.read(d.getXMLDesc(0));
          if (mark.isEmpty()) {
            continue; // not Kiln's: never touched
          }
          Optional<Path> dir = mark.get().workDir();
          boolean abandoned;
          if (dir.isEmpty()) { // a probe: it lives for seconds
            abandoned = mark.get().created().isBefore(Instant.now().minus(PROBE_MAX_AGE));
          } else if (connection.isLocal()) { // the owner holds a lock in the directory
            abandoned = !Files.isDirectory(dir.get()) || LeftoverFiles.isAbandoned(dir.get());
          } else { // remote: only a client of this host that has exited is known gone
            abandoned = mark.get().ownerProcessGone();
          }
          if (!abandoned) {
            dir.ifPresent(liveDirs::add);
            continue;
          }
          String name = d.getName();
          if (!dryRun) {
            // ask before destroying: a transient domain no longer exists afterwards
            boolean persistent = d.isPersistent() == 1;
            if (d.isActive() == 1) {
              d.destroy();
            }
            if (persistent) {
              d.undefine();
            }
            if (connection.isLocal()) {
              Files.deleteIfExists(Path.of("/var/log/libvirt/qemu", name + ".log"));
            }
          }
          removed.add(new Removed("domain", name));
        } catch (LibvirtException e) {
          // it went away while we looked: nothing left to clean
        }
      }
      if (!connection.isLocal()) {
        LeftoverFiles.cleanPools(connection.connect(), dryRun)
            .forEach(r -> removed.add(new Removed(r.kind(), r.what())));
      }
    } catch (IOException e) {
      throw new MachineException("cleaning: " + e.getMessage(), e);
    }
    try {
      LeftoverFiles.clean(workRoot.resolve(KvmMachines.MACHINES), liveDirs, PROBE_MAX_AGE,
          dryRun).forEach(r -> removed.add(new Removed(r.kind(), r.what())));
    } catch (IOException e) {
      throw new MachineException("cleaning " + workRoot + ": " + e.getMessage(), e);
    }
    return removed;
  }

  /**
   * Empties the host's media cache (pool {@code kiln-cache}: ISOs and cloud images uploaded
   * once for every build on that host); {@link #clean} never touches it.
   */
  public static List<Removed> cleanMediaCache(URI libvirtUri, boolean dryRun)
      throws MachineException {
    try (LibvirtConnection connection = LibvirtConnections.open(libvirtUri)) {
      return MediaCache.clear(connection.connect(), dryRun).stream()
          .map(v -> new Removed("medium", v)).toList();
    } catch (org.libvirt.LibvirtException e) {
      throw new MachineException("emptying the media cache: " + e.getMessage(), e);
    }
  }

  private static List<Domain> domains(Connect c) throws MachineException {
    List<Domain> out = new ArrayList<>();
    try {
      for (int id : c.listDomains()) {
        try {
          out.add(c.domainLookupByID(id));
        } catch (LibvirtException gone) {
          // stopped between listing and lookup
        }
      }
      for (String name : c.listDefinedDomains()) {
        try {
          out.add(c.domainLookupByName(name));
        } catch (LibvirtException gone) {
          // undefined between listing and lookup
        }
      }
    } catch (LibvirtException e) {
      throw new MachineException("listing libvirt domains: " + e.getMessage(), e);
    }
    return out;
  }
}
