package dev.kiln.cli;

import dev.kiln.api.KilnVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kiln version}: Kiln's version and the Java runtime it runs on. */
@Command(name = "version", description = "Print Kiln's version and the Java runtime.")
final class VersionCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    for (String line : new Provider().getVersion()) {
      spec.commandLine().getOut().println(line);
    }
    return 0;
  }

  /** Feeds {@code kiln --version} too. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kiln " + KilnVersion.get(),
          "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
    }
  }
}
