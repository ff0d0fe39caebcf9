package dev.kiln.cli;

import dev.kiln.api.MachineException;
import dev.kiln.kvm.KilnCleaner;
import dev.kiln.kvm.KvmHypervisor;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln clean}: removes what killed builds left. */
@Command(name = "clean",
    description = {"Remove what killed or crashed builds left behind: "
    + "libvirt domains carrying Kiln's metadata whose build process is gone, their disks, "
    + "console logs and machine directories, and stale probe files.",
    "Also removes empty build directories of interrupted builds (--builds: every build "
    + "directory no running build writes, logs included), and lists partial downloads in the "
    + "content cache (kept: the next build resumes them); --downloads removes those.",
    "With DIR arguments, remove instead the *.partial files that a killed conversion or export "
    + "(SIGKILL) left in those output directories.",
    "Domains without Kiln's metadata and the files of builds still running are never touched."})
final class CleanCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--connect"}, paramLabel = "URI", defaultValue = "qemu:///system",
      description = "libvirt URI (default: ${DEFAULT-VALUE}).")
  URI connect;

  @Option(names = "--work-root", paramLabel = "DIR", description = "Kiln's machine work root "
      + "(default: /var/tmp/kiln).")
  Path workRoot = KvmHypervisor.DEFAULT_WORK_ROOT;

  @Option(names = {"-n", "--dry-run"}, description = "Only list what would be removed.")
  boolean dryRun;

  @Option(names = "--builds", description = "Also remove the build directories (build.log, "
      + "console logs) of builds that are not running.")
  boolean builds;

  @Option(names = "--downloads", description = "Also remove partial downloads that no build "
      + "is writing (otherwise kept for the next build to resume).")
  boolean downloads;

  @Option(names = "--cache", description = "Also empty the host's media cache (the ISOs and "
      + "cloud images a remote host keeps for its builds, pool kiln-cache); kept otherwise.")
  boolean cache;

  @CommandLine.Parameters(arity = "0..*", paramLabel = "DIR",
      description = "Output directories to sweep for abandoned *.partial files.")
  List<Path> outputDirs = List.of();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!outputDirs.isEmpty()) {
      return sweep(out);
    }
    try {
      List<KilnCleaner.Removed> removed = new java.util.ArrayList<>(
          KilnCleaner.clean(connect, workRoot, dryRun));
      removed.addAll(workRootLeftovers(out));
      if (cache) {
        removed.addAll(KilnCleaner.cleanMediaCache(connect, dryRun));
      }
      for (KilnCleaner.Removed r : removed) {
        out.printf(Locale.ROOT, "%s %-9s %s%n", dryRun ? "would remove" : "removed", r.kind(),
            r.what());
      }
      out.println(removed.isEmpty() ? "nothing to clean" : removed.size() + " item(s) "
          + (dryRun ? "would be removed" : "removed"));
      return 0;
    } catch (MachineException e) {
      spec.commandLine().getErr().println("kiln clean: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
  }

  private List<KilnCleaner.Removed> workRootLeftovers(PrintWriter out) {
    List<KilnCleaner.Removed> removed = new java.util.ArrayList<>();
    try {
      List<Path> dirs = builds ? WorkRootLeftovers.finishedBuildDirectories(workRoot)
          : WorkRootLeftovers.emptyBuildDirectories(workRoot);
      for (Path d : dirs) {
        if (!dryRun) {
          deleteTree(d);
        }
        removed.add(new KilnCleaner.Removed("build-dir", d.toString()));
      }
      for (Path p : WorkRootLeftovers.partialDownloads(workRoot)) {
        if (downloads) {
          if (!dryRun) {
            java.nio.file.Files.deleteIfExists(p);
          }
          removed.add(new KilnCleaner.Removed("download", p.toString()));
        } else {
          out.printf(Locale.ROOT, "kept partial download %s (%s): the next build resumes it; "
              + "--downloads removes it%n", p, Sizes.human(java.nio.file.Files.size(p)));
        }
      }
    } catch (java.io.IOException e) {
      spec.commandLine().getErr().println("kiln clean: cannot sweep " + workRoot + ": "
          + IoErrors.sentence(e));
    }
    return removed;
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }

  private int sweep(PrintWriter out) {
    int count = 0;
    for (Path dir : outputDirs) {
      if (!java.nio.file.Files.isDirectory(dir)) {
        spec.commandLine().getErr().println("kiln clean: " + dir + " is not a directory");
        return KilnCli.EXIT_INVALID;
      }
      try {
        for (Path p : PartialFiles.abandoned(dir)) {
          if (!dryRun) {
            java.nio.file.Files.deleteIfExists(p);
          }
          out.printf(Locale.ROOT, "%s %-9s %s%n", dryRun ? "would remove" : "removed", "partial",
              p);
          count++;
        }
      } catch (java.io.IOException e) {
        spec.commandLine().getErr().println("kiln clean: cannot sweep " + dir + ": "
            + e.getMessage());
        return KilnCli.EXIT_INVALID;
      }
    }
    out.println(count == 0 ? "nothing to clean" : count + " item(s) "
        + (dryRun ? "would be removed" : "removed"));
    return 0;
  }
}
