package dev.kiln.cli;

import dev.kiln.cloudstack.CloudStackAcceptance;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kiln check --cloudstack}: what CloudStack itself would refuse, offline. */
@Command(name = "check", mixinStandardHelpOptions = true, description = {"Applies a cloud's own "
    + "acceptance rules to template files, offline: with --cloudstack, the checks Apache "
    + "CloudStack's management server, KVM agent and secondary-storage VM make (each finding "
    + "names the CloudStack source it mirrors). Exit 1 when a file would be refused; "
    + "warnings do not fail. kiln publish runs the same checks first."})
final class CheckCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ARTIFACT", arity = "1..*")
  List<Path> artifacts;

  @Option(names = "--cloudstack", description = "CloudStack's rules (4.19–4.22).")
  boolean cloudstack;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!cloudstack) {
      err.println("kiln check: name the rules to apply: --cloudstack");
      return 2;
    }
    boolean refused = false;
    for (Path a : artifacts) {
      if (!Files.isRegularFile(a)) {
        err.println("kiln check: " + a + ": no such file");
        refused = true;
        continue;
      }
      List<CloudStackAcceptance.Finding> findings;
      try {
        findings = CloudStackAcceptance.check(a);
      } catch (IOException e) {
        err.println("kiln check: " + a + ": " + IoErrors.sentence(e));
        refused = true;
        continue;
      }
      if (findings.isEmpty()) {
        o.println(a.getFileName() + ": CloudStack accepts it");
      }
      for (CloudStackAcceptance.Finding f : findings) {
        (f.refused() ? err : o).println((f.refused() ? "refused: " : "warning: ") + f);
        refused |= f.refused();
      }
    }
    return refused ? KilnCli.EXIT_INVALID : 0;
  }
}
