package dev.kiln.cli;

import dev.kiln.api.Accelerator;
import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.CloudImageSource;
import dev.kiln.api.IsoSource;
import dev.kiln.api.KilnException;
import dev.kiln.api.OsSelection;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.Recipe;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.Stage;
import dev.kiln.core.Build;
import dev.kiln.core.Kiln;
import dev.kiln.core.Recipes;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.templates.Catalog;
import dev.kiln.templates.values.CatalogEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code kiln build}: a recipe (or an OS id) to CloudStack templates. */
@Command(name = "build", description = {"Build CloudStack templates from a recipe or an OS id: "
    + "fetch the source, install (ISO) or boot (cloud image, debootstrap), provision over SSH, "
    + "install the CloudStack integration, generalize, export every format in one read of "
    + "the disk, and optionally publish.",
    "Exit codes: 0 ok, 1 invalid recipe, 4 source, 5 install or connect, 6 provision or "
        + "generalize, 7 export, 8 publish, 9 a matrix build failed, 10 verify, 130 "
        + "interrupted."})
final class BuildCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "RECIPE.yaml|OS-ID", arity = "0..1")
  String target;

  @Option(names = "--matrix", paramLabel = "MATRIX.yaml", description = "Build every entry "
      + "of a matrix over its pool of libvirt hosts (docs/matrix.md).")
  Path matrix;

  @Option(names = "--parallel", paramLabel = "N", description = "Matrix builds at once "
      + "(default: the matrix's setting, else the pool's capacity).")
  Integer parallel;

  @Option(names = "--fail-fast", description = "Stop placing matrix builds after a failure.")
  boolean failFast;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "out",
      description = "Where artifacts, checksums and manifest.json go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--formats", paramLabel = "F,F", split = ",", description = "Outputs instead "
      + "of the recipe's: qcow2, qcow2.bz2, raw, vhd, vhd.bz2 (XenServer), vhd.zip, vhdx "
      + "(Hyper-V), ova (VMware).")
  List<String> formats = new ArrayList<>();

  @Option(names = "--only", paramLabel = "NAME,NAME", split = ",", description = "With "
      + "--matrix: build only these entries (kiln matrix plan lists them). Else: write only "
      + "these of the recipe's outputs, named as their files end: qcow2, vhd.bz2, ova, …")
  List<String> only = new ArrayList<>();

  @Option(names = "--except", paramLabel = "NAME,NAME", split = ",", description = "Write the "
      + "recipe's outputs but these (named as --only names them).")
  List<String> except = new ArrayList<>();

  @Option(names = "--force", description = "Replace artifacts an earlier build left in --out "
      + "(without it, an existing artifact is an error before the build starts).")
  boolean force;

  @Option(names = "--accel", paramLabel = "kvm|tcg|auto")
  Accelerator accel;

  @Option(names = {"-c", "--connect"}, paramLabel = "URI", description = "libvirt URI.")
  URI connect;

  @Option(names = "--publish", description = "Publish to the recipe's publish targets, each "
      + "with its own cloudmonkey profile (publish[].profile).")
  boolean publish;

  @Option(names = "--publish-profile", paramLabel = "PROFILE", description = "Publish every "
      + "target with this cloudmonkey profile instead of its own (implies --publish).")
  String publishProfile;

  @Option(names = "--keep-on-error", description = "Leave the machine running when a stage "
      + "fails, and print how to reach it (--on-error abort).")
  boolean keepOnError;

  @Option(names = "--on-error", paramLabel = "cleanup|abort|ask", defaultValue = "cleanup",
      description = "When a stage fails with the machine running: cleanup (default) removes "
          + "everything; abort keeps the machine and prints how to reach it; ask keeps it, "
          + "prints how to reach it and waits for you to choose (Packer's -on-error).")
  OnError onError;

  /** What a failed build does with its running machine. */
  enum OnError { CLEANUP, ABORT, ASK }

  @Option(names = "--no-verify", description = "Skip the verify boot (the exported template "
      + "booted as a new CloudStack VM with a ConfigDrive and checked; results in "
      + "verify-junit.xml).")
  boolean noVerify;

  @Option(names = "--allow-private-keys", description = "Export even when the disk holds "
      + "private-key headers (the scan's findings become warnings and stay in manifest.json).")
  boolean allowPrivateKeys;

  @Option(names = "--no-cache", description = "Run every provisioning step and keep no "
      + "layers (by default a rebuild reuses the disk after its longest unchanged prefix of "
      + "steps; see kiln cache).")
  boolean noCache;

  @Option(names = "--step-cache-gib", paramLabel = "GIB", description = "Prune the step cache "
      + "to this size after each kept step (default: 32).")
  Long stepCacheGib;

  @Option(names = "--console", description = "Show the machine's serial console.")
  boolean console;

  @Option(names = {"-q", "--quiet"}, description = "No progress, only errors and the summary.")
  boolean quiet;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "json: one JSON object per event on standard output (NDJSON, schema in "
          + "docs/events.schema.json), the result last; errors still go to standard error "
          + "as a sentence.")
  OutputMode output;

  /** How results and progress are written. */
  enum OutputMode { TEXT, JSON }

  @Option(names = {"-v", "--verbose"}, description = "Also print every line the build's "
      + "commands and the machine's console write (a terminal otherwise shows the last one "
      + "beside the running stage).")
  boolean verbose;

  @Option(names = "--package-proxy", paramLabel = "PORT", description = "An HTTP package "
      + "proxy on this host's 127.0.0.1 (e.g. apt-cacher-ng) the guest uses through the "
      + "build's SSH connection (default: Kiln's own, which reaches only Debian and Ubuntu "
      + "mirrors).")
  Integer packageProxy;

  @Option(names = "--work-root", paramLabel = "DIR", description = "Caches and machine "
      + "directories (default: /var/tmp/kiln).")
  Path workRoot = Path.of("/var/tmp/kiln");

  @Option(names = "--build-id", paramLabel = "ID")
  String buildId;

  @CommandLine.Mixin
  MonitoringOptions monitoringOptions = new MonitoringOptions();

  @CommandLine.Mixin
  SigningOptions signing = new SigningOptions();

  @CommandLine.Mixin
  VariableOptions variables = new VariableOptions();

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (stepCacheGib != null && stepCacheGib < 0) {
      err.println("kiln build: --step-cache-gib cannot be negative (0 keeps nothing, as "
          + "--no-cache)");
      return 2;
    }
    if (matrix != null) {
      return runMatrix(o, err);
    }
    if (target == null) {
      err.println("kiln build: give a recipe, an OS id or --matrix");
      return 2;
    }
    Recipe recipe;
    try {
      recipe = recipe();
      if (!force) {
        refuseExistingOutputs(recipe, out);
      }
    } catch (KilnException | IllegalArgumentException e) {
      err.println("kiln build: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    } catch (IOException e) {
      err.println("kiln build: " + IoErrors.sentence(e));
      return KilnCli.EXIT_INVALID;
    }
    boolean json = output == OutputMode.JSON;
    JsonLines lines = new JsonLines(o);
    ProgressDisplay display = json ? new ProgressDisplay(ProgressDisplay.Mode.QUIET, o,
        java.time.Clock.systemUTC()) : display(o);
    BuildProgressView view = new BuildProgressView(display, verbose, console, false);
    BuildMonitoring monitoring = new BuildMonitoring(monitoringOptions, workRoot);
    Kiln kiln = KilnCli.kiln(workRoot, (json ? lines.handlers() : view.handlers())
        .and(monitoring.handlers()));
    Build.Builder b = kiln.build(recipe).outputDirectory(out)
        .keepOnError(keepOnError || onError == OnError.ABORT)
        .allowPrivateKeys(allowPrivateKeys);
    if (onError == OnError.ASK && !keepOnError) {
      b.onFailurePause(new AskOnFailure(new java.io.BufferedReader(new java.io.InputStreamReader(
          System.in, java.nio.charset.Charset.defaultCharset())), err, o::flush));
    }
    if (buildId != null) {
      b.buildId(buildId);
    }
    publishing(b);
    if (recipeFile(target) != null) {
      b.recipeFile(recipeFile(target));
    }
    Build build;
    try {
      signing.apply(b);
      build = b.build();
    } catch (KilnException e) {
      err.println("kiln build: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
    try {
      if (!json) {
        o.println("kiln build " + build.id() + ": " + recipe.name() + " (" + recipe.os() + ")");
      }
      BuildResult r;
      try (InterruptReport report = new InterruptReport(err, display, workRoot, build.id(),
          () -> view.stage(build.id()))) {
        r = build.run();
      } finally {
        display.close();
      }
      monitoring.afterBuilds(err);
      if (json) {
        lines.result(0, resultFields(r));
      } else {
        summary(o, r);
        o.println("  build log: " + workRoot.resolve("builds").resolve(r.buildId())
            .resolve("build.log"));
      }
      return 0;
    } catch (BuildFailedException e) {
      if (json) {
        lines.result(exitCode(e.stage()), Map.of("buildId", build.id(), "stage",
            e.stage(), "error", e.getMessage()));
      }
      Path buildDir = workRoot.resolve("builds").resolve(build.id());
      printDiagnostics(err, e.diagnostics(), buildDir);
      // the cause comes last, where the eye lands when the command returns
      err.println("kiln build: " + e.getMessage());
      err.println("kiln build: the build's log: " + buildDir.resolve("build.log"));
      monitoring.afterBuilds(err);
      return exitCode(e.stage());
    } catch (KilnException e) {
      err.println("kiln build: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
  }

  /**
   * The machine's diagnostics, whole, in the build directory's {@code diagnostics.txt}; on the
   * terminal only the console's last lines (libvirt's log and the domain XML are for the file).
   * The first line is the error again, with its class: kept in the file, not printed twice.
   */
  private static void printDiagnostics(PrintWriter err, List<String> diagnostics,
      Path buildDir) {
    List<String> lines = diagnostics.stream().filter(l -> !l.startsWith("error: ")).toList();
    if (lines.isEmpty()) {
      return;
    }
    Path file = buildDir.resolve("diagnostics.txt");
    boolean saved;
    try {
      Files.createDirectories(buildDir);
      Path partial = buildDir.resolve("diagnostics.txt.partial");
      Files.write(partial, diagnostics);
      Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      saved = true;
    } catch (IOException io) {
      saved = false;
    }
    int end = lines.indexOf(lines.stream().filter(l -> l.startsWith("--- libvirt log"))
        .findFirst().orElse(null));
    List<String> shown = end < 0 ? lines : lines.subList(0, end);
    shown.subList(Math.max(0, shown.size() - 40), shown.size())
        .forEach(l -> err.println("  | " + l));
    if (saved) {
      err.println("  | (the machine's diagnostics in full: " + file + ")");
    } else if (end >= 0) {
      lines.subList(end, Math.min(lines.size(), end + 20)).forEach(l -> err.println("  | " + l));
    }
  }

  private int runMatrix(PrintWriter o, PrintWriter err) throws InterruptedException {
    MatrixFile m;
    try {
      m = MatrixFile.load(matrix);
      if (failFast) {
        m = new MatrixFile(m.hosts(), m.entries(), m.parallel(), true);
      }
      // with --matrix, --only and --except name entries (one CI job builds one entry)
      m = m.select(only, except);
    } catch (KilnException | IllegalArgumentException e) {
      err.println("kiln build --matrix: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    } catch (IOException e) {
      err.println("kiln build --matrix: " + IoErrors.sentence(e));
      return KilnCli.EXIT_INVALID;
    }
    java.util.Optional<java.security.PrivateKey> key;
    try {
      key = signing.key();
    } catch (KilnException e) {
      err.println("kiln build --matrix: " + e.getMessage());
      return KilnCli.EXIT_INVALID;
    }
    // every entry is configured alike, and signed with the same key
    java.util.function.Consumer<Build.Builder> configure = b -> {
      publishing(b);
      key.ifPresent(b::signWith);
    };
    boolean json = output == OutputMode.JSON;
    JsonLines lines = new JsonLines(o);
    if (!json) {
      o.println("kiln build --matrix: " + m.entries().size() + " build(s) on "
          + m.hosts().size() + " host(s)");
    }
    var results = java.util.List.<dev.kiln.core.matrix.EntryResult>of();
    BuildMonitoring monitoring = new BuildMonitoring(monitoringOptions, workRoot);
    int parallelism = parallel != null ? parallel : m.parallel();
    if (json) { // every build's events as lines, each carrying its build id
      results = MatrixRun.run(KilnCli.kiln(workRoot, lines.handlers().and(monitoring
          .handlers())), m, out, parallelism, configure);
    } else {
      try (ProgressDisplay display = display(o)) {
        results = MatrixRun.run(KilnCli.kiln(workRoot, progress(display)
            .and(monitoring.handlers())), m, out, parallelism, configure);
      }
    }
    monitoring.afterBuilds(err);
    if (!json) {
      MatrixRun.summary(o, results);
    }
    Path manifest = null;
    try {
      manifest = MatrixRun.manifest(out, results);
      if (!json) {
        o.println("matrix manifest: " + manifest);
      }
    } catch (IOException e) {
      err.println("kiln build --matrix: writing the manifest: " + e.getMessage());
    }
    int exit = results.stream().allMatch(dev.kiln.core.matrix.EntryResult::succeeded) ? 0 : 9;
    if (json) {
      java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
      fields.put("builds", results.stream().map(MatrixLine::of).toList());
      fields.put("manifest", manifest == null ? null : manifest.toString());
      lines.result(exit, fields);
    }
    return exit;
  }

  /** One matrix entry in the JSON result line. */
  record MatrixLine(String id, java.util.List<String> hosts, String result,
      java.util.List<String> artifacts, String error) {
    static MatrixLine of(dev.kiln.core.matrix.EntryResult r) {
      return new MatrixLine(r.entry().id(), r.hosts(), r.succeeded() ? "ok" : r.skipped()
          ? "skipped" : "failed", r.result().map(x -> x.artifacts().stream().map(a ->
          a.file().getFileName().toString()).toList()).orElse(java.util.List.of()),
          r.error().orElse(null));
    }
  }

  /**
   * The options every build of this command shares: publishing, package proxy, verify, step
   * cache.
   */
  private void publishing(Build.Builder b) {
    if (publish || publishProfile != null) {
      b.publish(true);
    }
    if (publishProfile != null) {
      b.publishProfile(publishProfile);
    }
    if (packageProxy != null) {
      b.packageProxy(packageProxy);
    }
    b.verify(!noVerify);
    b.stepCache(noCache ? 0 : stepCacheGib == null
        ? dev.kiln.core.stepcache.StepCache.DEFAULT_MAX_BYTES : stepCacheGib << 30);
  }

  static int exitCode(Stage stage) {
    return switch (stage) {
      case SOURCE -> 4;
      case INSTALL, CONNECT -> 5;
      case PROVISION, GENERALIZE -> 6;
      case EXPORT -> 7;
      case VERIFY -> 10;
      case PUBLISH -> 8;
    };
  }

  /** The recipe's file when the target names one (else it is an OS id). */
  private static Path recipeFile(String target) {
    return target.endsWith(".yaml") || target.endsWith(".yml") || Files.exists(Path.of(target))
        ? Path.of(target) : null;
  }

  private Recipe recipe() throws KilnException, IOException {
    Recipe r;
    if (recipeFile(target) != null) {
      r = Recipes.loadForBuild(recipeFile(target), dev.kiln.templates.Catalog.builtIn().knownOs(),
          variables.values());
    } else {
      if (!variables.values.isEmpty() || !variables.files.isEmpty()) {
        throw new KilnException("--var and --var-file give values to a recipe file's "
            + "variables; " + target + " is an OS id, not a recipe file");
      }
      CatalogEntry e = Catalog.builtIn().entry(target).orElseThrow(() ->
          new KilnException("no recipe file " + target + ", and " + KilnCli.unknownOsId(
              target)));
      r = fromCatalog(e);
    }
    Recipe.Builder b = r.toBuilder();
    List<OutputSpec> outputs = formats.isEmpty() ? r.outputs()
        : formats.stream().map(ArtifactNames::output).toList();
    if (!only.isEmpty() || !except.isEmpty()) {
      outputs = selectOutputs(outputs, only, except);
    }
    b.outputs(outputs);
    if (accel != null || connect != null) {
      var m = r.machine().toBuilder();
      if (accel != null) {
        m.accelerator(accel);
      }
      if (connect != null) {
        m.libvirtUri(connect);
      }
      b.machine(m.build());
    }
    return b.build();
  }

  /** A recipe from the catalog alone: the vendor cloud image (or ISO), qcow2 output. */
  static Recipe fromCatalog(CatalogEntry e) throws KilnException {
    OsSelection os = new OsSelection(e.id(), e.version());
    Recipe.Builder b;
    if (e.cloudImage().isPresent()) {
      b = Recipe.builder(os, new CloudImageSource(new RemoteFile(List.of(e.cloudImage().get()
          .url()), Optional.empty(), Optional.empty(), Optional.of(e.cloudImage().get()
          .checksums()))));
    } else if (!e.iso().localOnly()) {
      b = Recipe.builder(os, new IsoSource(new RemoteFile(e.iso().urls(), Optional.empty(),
          Optional.empty(), e.iso().checksums())));
    } else {
      throw new KilnException(e.osId() + " needs a local ISO (" + e.iso().file().orElse("the "
          + "vendor's") + "): write a recipe with source.iso.path");
    }
    return b.name(e.osId()).addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE)).build();
  }

  /** An output's name for --only/--except: its file name after the template's, e.g. vhd.bz2. */
  static String outputName(OutputSpec o) {
    return o.fileName("").substring(1);
  }

  /** The outputs --only keeps and --except does not drop; a name matching none is an error. */
  static List<OutputSpec> selectOutputs(List<OutputSpec> outputs, List<String> only,
      List<String> except) throws KilnException {
    List<String> names = outputs.stream().map(BuildCommand::outputName).toList();
    for (String n : concat(only, except)) {
      if (!names.contains(n.toLowerCase(Locale.ROOT))) {
        throw new KilnException("the recipe has no output '" + n + "'" + dev.kiln.api.DidYouMean
            .suggest(n, names).map(g -> " (did you mean '" + g + "'?)").orElse("")
            + "; its outputs: " + String.join(", ", names));
      }
    }
    List<OutputSpec> kept = outputs.stream().filter(o -> only.isEmpty()
        || only.stream().anyMatch(n -> n.equalsIgnoreCase(outputName(o))))
        .filter(o -> except.stream().noneMatch(n -> n.equalsIgnoreCase(outputName(o))))
        .toList();
    if (kept.isEmpty()) {
      throw new KilnException("--only and --except leave no output to write (outputs: "
          + String.join(", ", names) + ")");
    }
    return kept;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Without --force, an artifact of this build that already exists is an error before anything
   * runs (Packer's habit): an earlier build's template is never replaced by accident.
   */
  static void refuseExistingOutputs(Recipe recipe, Path out) throws KilnException {
    List<String> existing = recipe.outputs().stream().map(o -> out.resolve(o.fileName(
        recipe.name()))).filter(Files::exists).map(Path::toString).toList();
    if (!existing.isEmpty()) {
      throw new KilnException(String.join(", ", existing) + (existing.size() == 1 ? " exists"
          : " exist") + " from an earlier build; use --force to replace "
          + (existing.size() == 1 ? "it" : "them") + ", or --out for another directory");
    }
  }

  private EventHandlers progress(ProgressDisplay display) {
    return new BuildProgressView(display, verbose, console, matrix != null).handlers();
  }

  private ProgressDisplay display(PrintWriter o) {
    return new ProgressDisplay(ProgressDisplay.detect(quiet), o, java.time.Clock.systemUTC());
  }

  /** The result line of {@code --output json}. */
  private static Map<String, Object> resultFields(BuildResult r) {
    Map<String, Object> f = new java.util.LinkedHashMap<>();
    f.put("buildId", r.buildId());
    f.put("manifest", r.manifest().toString());
    f.put("artifacts", r.artifacts().stream().map(a -> Map.of("file", a.file().toString(),
        "size", a.size(), "checksums", a.checksums())).toList());
    Map<String, Double> stages = new java.util.LinkedHashMap<>();
    r.stageTimes().forEach((st, d) -> stages.put(st.name().toLowerCase(Locale.ROOT),
        d.toMillis() / 1000.0));
    f.put("stageSeconds", stages);
    return f;
  }

  private static void summary(PrintWriter o, BuildResult r) {
    o.println();
    o.println("Build " + r.buildId() + " finished" + (r.installReused()
        ? " (OS install reused from the cache)" : ""));
    long total = 0;
    for (Stage s : Stage.values()) {
      var t = r.stageTimes().get(s);
      if (t != null) {
        total += t.toMillis();
        o.printf(Locale.ROOT, "  %-11s %8.1f s%n", s.name().toLowerCase(Locale.ROOT),
            t.toMillis() / 1000.0);
      }
    }
    o.printf(Locale.ROOT, "  %-11s %8.1f s%n", "total", total / 1000.0);
    for (BuildResult.Artifact a : r.artifacts()) {
      o.printf(Locale.ROOT, "  %-40s %12d bytes  sha256 %s%n", a.file().getFileName(),
          a.size(), a.checksums().get("SHA-256"));
    }
    o.println("  manifest: " + r.manifest());
    r.published().forEach(t -> o.println("  published " + t.name() + " (" + t.id() + ") in "
        + t.zone()));
  }
}
