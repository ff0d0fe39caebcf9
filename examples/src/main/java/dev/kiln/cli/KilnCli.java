package dev.kiln.cli;

import dev.kiln.api.event.EventHandlers;
import dev.kiln.core.Kiln;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code kiln} command line. */
@Command(name = "kiln", mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Builds Apache CloudStack VM templates: installs an OS under KVM/libvirt, "
        + "provisions it over SSH, and writes qcow2, VHD, OVA, VHDX and raw images itself.",
    subcommands = {VersionCommand.class, RecipeCommand.class, DoctorCommand.class,
        ConvertCommand.class, InspectCommand.class, SeedCommand.class, IsoCommand.class,
        CleanCommand.class, PublishCommand.class, TemplatesCommand.class, ListCommand.class,
        AnswersCommand.class, BuildCommand.class, InitCommand.class, HistoryCommand.class,
        VerifyCommand.class, CheckCommand.class, MatrixCommand.class, CacheCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {
        "  0    success",
        "  1    the input or the host is not fit: invalid recipe or image, failed check",
        "  2    usage error: unknown command or option, missing argument",
        "  3    an internal error (a bug: run again with --stacktrace and report it)",
        "  4    build: the source stage failed (download, checksum, mmdebstrap)",
        "  5    build: install or connect failed",
        "  6    build: provision or generalize failed",
        "  7    build: export failed (including private keys found in the disk)",
        "  8    build: publish failed",
        "  9    build --matrix: at least one entry failed",
        "  10   build: the verify boot failed a check",
        "  130  interrupted (Ctrl-C)"})
public final class KilnCli implements Runnable {
  /** Exit code for invalid input or a host that fails a check. */
  public static final int EXIT_INVALID = 1;

  /** The CLI's one wiring: everything on the class path (KVM, built-in catalog, CloudStack). */
  static Kiln kiln(Path workRoot, EventHandlers events) {
    return Kiln.builder().discover().workRoot(workRoot).events(events).build();
  }

  /** "'X' is not an OS id (did you mean 'Y'?); kiln list shows them all". */
  static String unknownOsId(String osId) {
    return "'" + osId + "' is not an OS id" + dev.kiln.api.DidYouMean.suggest(osId,
        dev.kiln.templates.Catalog.builtIn().entries().stream()
            .map(dev.kiln.templates.values.CatalogEntry::osId).toList())
        .map(g -> " (did you mean '" + g + "'?)").orElse("") + "; kiln list shows them all";
  }

  /** Exit code for an internal error. */
  public static final int EXIT_INTERNAL = 3;
  /** Exit code after Ctrl-C. */
  public static final int EXIT_INTERRUPTED = 130;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Set by {@code --stacktrace} on any command: internal errors then print their trace. */
  private static volatile boolean stackTraces;

  @CommandLine.Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
      description = "On an internal error, print the Java stack trace too.")
  void stacktrace(boolean on) {
    stackTraces = on;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A command line wired with Kiln's exception handling, writing to {@code out}/{@code err}. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new KilnCli());
    addHelpOption(cli);
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        commandLine.getErr().println("kiln: interrupted");
        return EXIT_INTERRUPTED;
      }
      commandLine.getErr().println("kiln: internal error (a bug in Kiln): " + e
          + (stackTraces ? "" : "; run again with --stacktrace and report it with the trace"));
      if (stackTraces) {
        e.printStackTrace(commandLine.getErr());
      }
      return EXIT_INTERNAL;
    });
    return cli;
  }

  /**
   * Gives every subcommand, at every depth, {@code -h}/{@code --help} (picocli answers it before
   * checking required parameters), so {@code kiln convert --help} works as users expect.
   */
  private static void addHelpOption(CommandLine cli) {
    for (CommandLine sub : cli.getSubcommands().values()) {
      CommandLine.Model.CommandSpec s = sub.getCommandSpec();
      if (s.optionsMap().get("--help") == null && !(sub.getCommand()
          instanceof CommandLine.HelpCommand)) {
        s.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
            .description("Show this help and exit.").build());
      }
      addHelpOption(sub);
    }
  }

  public static void main(String[] args) {
    // a terminal gets its own encoding; a pipe or file (JSON lines, CI logs) always UTF-8, not
    // the locale's default, which is ASCII under LANG=C and would turn every "…" into "?"
    java.nio.charset.Charset charset = System.console() != null ? System.console().charset()
        : java.nio.charset.StandardCharsets.UTF_8;
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, charset), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, charset), true);
    System.exit(commandLine(out, err).execute(args));
  }
}
