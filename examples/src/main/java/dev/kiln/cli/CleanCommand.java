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
@Command(name = "clean", description = {"Remove what killed or crashed builds left behind: "
    + "libvirt domains carrying Kiln's metadata whose build process is gone, their disks, "
    + "console logs and machine directories, and stale probe files.",
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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      List<KilnCleaner.Removed> removed = KilnCleaner.clean(connect, workRoot, dryRun);
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
}
