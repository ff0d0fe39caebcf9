package dev.kiln.cli;

import dev.kiln.cli.doctor.Check;
import dev.kiln.cli.doctor.Doctor;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln doctor}: checks this host and says what to install or change. */
@Command(name = "doctor", description = {"Check this host for Kiln: libvirt and its version, "
    + "the QEMU binary, whether KVM really runs a guest (a probe guest is booted) or TCG must be "
    + "used, free disk space, and the tools Kiln's tests use.",
    "Exit 0 when builds can run here (warnings allowed), 1 when a check fails."})
final class DoctorCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--connect"}, paramLabel = "URI", defaultValue = "qemu:///system",
      description = "libvirt URI to check (default: ${DEFAULT-VALUE}).")
  URI connect;

  @Option(names = "--work-dir", paramLabel = "DIR", defaultValue = ".",
      description = "Where builds will write (free space is checked here; default: "
          + "${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--probe-timeout", paramLabel = "SECONDS", defaultValue = "20",
      description = "How long a probe guest may take (default: ${DEFAULT-VALUE}).")
  int probeSeconds;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "json: one check line per check as it finishes, then the result (schema "
          + "in docs/events.schema.json).")
  BuildCommand.OutputMode output;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (output == BuildCommand.OutputMode.JSON) {
      JsonLines lines = new JsonLines(out);
      List<Check> checks = new Doctor(connect, workDir, Duration.ofSeconds(probeSeconds))
          .run(c -> {
            java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
            f.put("name", c.name());
            f.put("status", c.status());
            f.put("detail", c.detail());
            c.fix().ifPresent(x -> f.put("fix", x));
            lines.line("check", f);
          });
      long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
      long warned = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
      int exit = failed > 0 ? KilnCli.EXIT_INVALID : 0;
      if (exit == 0) {
        lines.result(0, java.util.Map.of("failed", 0, "warnings", warned));
      } else {
        lines.result(exit, java.util.Map.of("error", failed + " check(s) failed: Kiln cannot "
            + "build on this host"));
      }
      return exit;
    }
    out.println("Kiln doctor: checking " + connect + " (the KVM and TCG probes boot a "
        + "512-byte guest; this takes a few seconds)");
    List<Check> checks = new Doctor(connect, workDir, Duration.ofSeconds(probeSeconds))
        .run(c -> print(out, c));
    long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
    long warned = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
    out.println();
    out.println(failed > 0 ? "Kiln cannot build on this host: " + failed + " check(s) failed."
        : "Kiln can build on this host" + (warned > 0 ? " (" + warned + " warning(s))." : "."));
    return failed > 0 ? KilnCli.EXIT_INVALID : 0;
  }

  private static void print(PrintWriter out, Check c) {
    out.printf(Locale.ROOT, "  %-5s %-12s %s%n", c.status().name().toLowerCase(Locale.ROOT),
        c.name(), c.detail());
    c.fix().ifPresent(f -> out.printf(Locale.ROOT, "  %-5s %-12s fix: %s%n", "", "", f));
    out.flush();
  }
}
