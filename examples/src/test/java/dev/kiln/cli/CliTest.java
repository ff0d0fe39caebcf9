package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Runs the {@code kiln} command line in-process, as a user would type it. */
class CliTest {
  /** The examples module folder (Surefire runs tests there). */
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path INVALID = MODULE.resolve("src/test/resources/invalid-recipes");

  record Run(int exit, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = KilnCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    Run r = kiln("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("version", "recipe", "doctor", "Exit codes:",
        "1    the input or the host is not fit", "2    usage error", "130  interrupted");
  }

  /** Every subcommand, at every depth, answers {@code --help} and {@code -h} with exit 0. */
  @Test
  void everySubcommandAnswersHelp() {
    java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
    collect(KilnCli.commandLine(new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter())), new java.util.ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThanOrEqualTo(19);
    for (java.util.List<String> path : paths) {
      for (String flag : new String[] {"--help", "-h"}) {
        java.util.List<String> args = new java.util.ArrayList<>(path);
        args.add(flag);
        Run r = kiln(args.toArray(String[]::new));
        assertThat(r.exit()).as("kiln %s: %s", String.join(" ", args), r.err()).isZero();
        assertThat(r.out()).as("kiln %s", String.join(" ", args))
            .contains("Usage: kiln " + String.join(" ", path));
      }
    }
  }

  private static void collect(picocli.CommandLine cli, java.util.List<String> prefix,
      java.util.List<java.util.List<String>> out) {
    for (var e : cli.getSubcommands().entrySet()) {
      if (e.getKey().equals("help")) {
        continue;
      }
      java.util.List<String> path = new java.util.ArrayList<>(prefix);
      path.add(e.getKey());
      out.add(path);
      collect(e.getValue(), path, out);
    }
  }

  @Test
  void unknownCommandIsAUsageError() {
    Run r = kiln("frobnicate");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Unmatched argument");
  }

  @Test
  void versionNamesKilnAndJava() {
    Run r = kiln("version");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("kiln 0.").contains("java 17");
  }

  @Test
  void everyExampleRecipeIsValid() throws Exception {
    List<String> recipes;
    try (Stream<Path> files = Files.list(MODULE.resolve("recipes"))) {
      recipes = files.filter(f -> f.toString().endsWith(".yaml")).map(Path::toString)
          .sorted().collect(Collectors.toList());
    }
    assertThat(recipes).hasSizeGreaterThanOrEqualTo(2);
    // the complete example reads its passwords from the environment: without them set,
    // validation says so (the build would stop there), and with them the recipes are valid
    Run r = kiln(Stream.concat(Stream.of("recipe", "validate"), recipes.stream())
        .toArray(String[]::new));
    assertThat(r.err().lines().filter(l -> l.contains(": answers.")).toList()).hasSize(2)
        .allMatch(l -> l.contains("is not set in this environment"));
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty(
        "java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        KilnCli.class.getName(), "recipe", "validate"));
    cmd.addAll(recipes);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("KILN_CLOUD_PASSWORD", "example");
    pb.environment().put("KILN_ROOT_PASSWORD", "example");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor()).as(err).isZero();
    assertThat(err).isEmpty();
    assertThat(out.lines()).hasSize(recipes.size()).allMatch(l -> l.contains(": valid"));
    assertThat(r.out()).contains("debian-12.yaml: valid — debian-12-base (debian-12, "
        + "debootstrap source, 3 outputs)");
  }

  private static String invalid(String name) {
    Run r = kiln("recipe", "validate", INVALID.resolve(name).toString());
    assertThat(r.exit()).as("exit code for " + name).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    return r.err().replace(INVALID.toString() + "/", "");
  }

  @Test
  void aDiskTheOutputFormatCannotHoldIsRejectedBeforeAnyWork() {
    assertThat(invalid("vhd-too-large.yaml")).isEqualTo("vhd-too-large.yaml:9:3: machine: "
        + "machine.diskSize does not fit the vhd output: vhd holds at most 2040 GiB, and this "
        + "disk is 2100 GiB (2254857830400 bytes); choose a smaller disk or another format\n"
        + "vhd-too-large.yaml: 1 problem\n");
  }

  @Test
  void badYamlIsRejectedWithItsPosition() {
    assertThat(invalid("bad-yaml.yaml")).isEqualTo("bad-yaml.yaml:5:18: invalid YAML: while "
        + "parsing a flow sequence; expected ',' or ']', but got <stream end>\n"
        + "bad-yaml.yaml: 1 problem\n");
  }

  @Test
  void unknownFieldIsRejectedWithASuggestion() {
    assertThat(invalid("unknown-field.yaml")).isEqualTo("unknown-field.yaml:9:3: "
        + "machine.memroy: unknown key (did you mean 'memory'?)\nunknown-field.yaml: 1 problem\n");
  }

  @Test
  void negativeDiskSizeIsRejected() {
    assertThat(invalid("negative-disk.yaml")).isEqualTo("negative-disk.yaml:8:13: "
        + "machine.diskSize: must be positive, was -10GiB\nnegative-disk.yaml: 1 problem\n");
  }

  @Test
  void missingSourceIsRejected() {
    assertThat(invalid("missing-source.yaml")).isEqualTo("missing-source.yaml:1:1: source: "
        + "missing required field: one of iso, cloudImage, debootstrap\n"
        + "missing-source.yaml: 1 problem\n");
  }

  @Test
  void twoSourcesAreRejected() {
    assertThat(invalid("two-sources.yaml")).isEqualTo("two-sources.yaml:8:5: source.iso: "
        + "'debootstrap' and 'iso' are mutually exclusive; keep only one of iso, cloudImage, "
        + "debootstrap\ntwo-sources.yaml:8:11: source.iso.path: no readable file "
        + "/srv/isos/debian-12.iso (relative paths start at the recipe's folder)\n"
        + "two-sources.yaml: 2 problems\n");
  }

  @Test
  void aMissingFileIsReportedNotThrown() {
    Run r = kiln("recipe", "validate", "/nonexistent/r.yaml");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("/nonexistent/r.yaml: no such file\n");
  }

  /**
   * {@code kiln init} for every OS of the catalog writes a recipe that validates as a build
   * would check it; an OS whose ISO is local-only (RHEL, SLES) is refused only for the ISO the
   * user must still supply. An existing file needs --force.
   */
  @Test
  void initWritesAStarterRecipeThatValidatesForEveryOs(@org.junit.jupiter.api.io.TempDir
      Path dir) throws Exception {
    for (var e : dev.kiln.templates.Catalog.builtIn().entries()) {
      Path file = dir.resolve(e.osId() + ".yaml");
      Run init = kiln("init", e.osId(), "--out", file.toString());
      assertThat(init.exit()).as(init.err()).isZero();
      Run v = kiln("recipe", "validate", file.toString());
      if (e.iso().localOnly() && e.cloudImage().isEmpty() && !e.id().equals("debian")) {
        // what the user must still supply: the ISO, and the registration key the starter
        // names (from the environment) where the vendor's repositories need one
        List<String> problems = v.err().lines().filter(l -> l.matches(".*:\\d+:\\d+: .*"))
            .toList();
        assertThat(problems).as(e.osId()).hasSize(e.registration().isPresent() ? 2 : 1)
            .anySatisfy(p -> assertThat(p).contains("source.iso.path: no readable file"));
        if (e.registration().isPresent()) {
          assertThat(problems).anySatisfy(p -> assertThat(p).contains(
              "answers.registration.key").contains("is not set"));
        }
      } else {
        assertThat(v.exit()).as(e.osId() + ": " + v.err()).isZero();
      }
    }
    Run again = kiln("init", "debian-12", "--out", dir.resolve("debian-12.yaml").toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("exists; use --force");
    Run typo = kiln("init", "ubunto-24.04", "--out", dir.resolve("u.yaml").toString());
    assertThat(typo.err()).contains("did you mean 'ubuntu-24.04'?");
  }
}
