package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.api.KilnVersion;
import dev.kiln.api.Recipe;
import dev.kiln.api.event.Stage;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.spi.Hypervisor;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the stages of one build share: settings, events, the cleanup stack, the build
 * directory, the machine now running (for diagnostics), and the manifest's parts as the stages
 * fill them in.
 */
final class BuildContext {
  static final String BUILD_USER = "kiln-build";

  final BuildSettings settings;
  final Recipe recipe;
  final BuildEvents events;
  private final BuildLog log;
  final CleanupStack cleanup;
  final BuildTally tally;
  final Map<Stage, Duration> times = new EnumMap<>(Stage.class);
  private final String started;
  private Path buildDir;
  private Hypervisor hypervisor;
  private Machine activeMachine;
  private BuildKey key;

  // the manifest's parts, filled in by the stages
  BuildManifest.Source source;
  BuildManifest.Install install;
  /** The step cache's use, decided before the build machine boots. */
  StepPlan stepPlan;
  List<String> survivors;
  /** The package database in detail (for the SBOM). */
  List<PackageRecord> inventory = List.of();
  /** The security assessment after provisioning; null when none ran. */
  SecurityAssessment.Result security;
  /** The hardening scan's SCAP content, verified in the source stage; null when none. */
  dev.kiln.core.internal.source.ContentCache.Resolved hardeningContent;
  /** The OpenSCAP scan after provisioning; null when the recipe asks for none. */
  OpenScapScan.Result hardening;
  List<BuildManifest.Artifact> artifacts = List.of();
  /** The artifacts as written, with the size of the disk inside each. */
  List<Exporter.Artifact> exported = List.of();
  List<BuildManifest.Published> published = List.of();
  BuildManifest.KeyScan keyScan;
  BuildManifest.Provenance provenance;
  BuildManifest.Sbom sbom;
  BuildManifest.SecretScan secretScan;
  dev.kiln.core.internal.verify.VerifyReport verify;
  /** The build machine's machine id and the template's cloud-init default user. */
  Optional<String> buildMachineId = Optional.empty();
  Optional<String> defaultUser = Optional.empty();

  BuildContext(BuildSettings settings) {
    this.settings = settings;
    this.recipe = settings.recipe();
    this.log = new BuildLog(List.copyOf(secrets(settings.recipe()).values()));
    this.tally = new BuildTally(this);
    this.events = new BuildEvents(dev.kiln.api.event.EventHandlers.builder()
        .addAll(tally::accept).addAll(settings.events()::dispatch).addAll(log::accept).build(),
        settings.buildId(), settings.clock());
    this.cleanup = new CleanupStack(events);
    this.started = events.now().toString();
  }

  /** Creates the build directory (console logs, the package list; scratch while running). */
  Path createBuildDirectory() throws IOException {
    buildDir = settings.workRoot().resolve("builds").resolve(settings.buildId());
    Files.createDirectories(buildDir, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    // QEMU runs as another user and writes the console logs here
    buildDir.toFile().setReadable(true, false);
    buildDir.toFile().setExecutable(true, false);
    log.open(buildDir);
    cleanup.push("build log", log::close);
    return buildDir;
  }

  /**
   * The recipe's secrets that can be read now, each named by what it is ("the recipe's root
   * password"): the build log masks their values, the export searches the disk for them.
   */
  static Map<String, String> secrets(dev.kiln.api.Recipe recipe) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    recipe.answers().rootPassword().ifPresent(s -> reveal(s, "the recipe's root password", out));
    recipe.answers().users().forEach(u -> u.password().ifPresent(s -> reveal(s, "user "
        + u.name() + "'s password", out)));
    recipe.sensitiveVariables().forEach((n, s) -> reveal(s, "the recipe's sensitive variable "
        + n, out));
    return out;
  }

  private static void reveal(dev.kiln.api.Secret s, String what, Map<String, String> into) {
    try {
      into.put(what, s.reveal());
    } catch (dev.kiln.api.KilnException e) {
      // not readable now: the build fails on it later, with its own message
    }
  }

  Path buildDirectory() {
    return buildDir;
  }

  /**
   * {@code name} in the build directory, deleted when the build ends (kept with a kept
   * machine, which may need it).
   */
  Path scratch(String name) {
    Path file = buildDir.resolve(name);
    cleanup.push("scratch file " + name, true, () -> Files.deleteIfExists(file));
    return file;
  }

  /** The build's key, also written to the build directory when a kept machine needs it. */
  void key(BuildKey key) {
    this.key = key;
  }

  Optional<BuildKey> key() {
    return Optional.ofNullable(key);
  }

  Hypervisor hypervisor() throws KilnException {
    if (hypervisor == null) {
      Hypervisor h = settings.hypervisors().connect(recipe.machine().libvirtUri());
      cleanup.push("hypervisor connection " + h.name(), h::close);
      hypervisor = h;
    }
    return hypervisor;
  }

  /** A machine spec with the recipe's machine settings and this build's label and log. */
  MachineSpec.Builder machineSpec(String role) {
    String name = ("kiln-" + settings.buildId() + "-" + role).replaceAll("[^A-Za-z0-9._-]", "-");
    var m = recipe.machine();
    MachineSpec.Builder b = MachineSpec.builder(name.length() > 64 ? name.substring(0, 64)
        : name).cpus(m.cpus()).memoryMiB(m.memoryMiB()).firmware(m.firmware(), m.secureBoot())
        .accelerator(m.accelerator()).label("build", settings.buildId()).vnc(m.vnc())
        .consoleLog(buildDir.resolve("console-" + role + ".log"));
    m.libvirtNetwork().ifPresent(b::libvirtNetwork);
    m.guestForwards().forEach(b::addGuestForward);
    return b;
  }

  /** Creates a machine, registered for cleanup and for diagnostics until it is released. */
  RunningMachine createMachine(MachineSpec spec) throws KilnException {
    Machine m = hypervisor().create(spec, events.handlers());
    activeMachine = m;
    CleanupStack.Entry entry = cleanup.push("machine " + m.name(), true, () -> {
      tally.machineEnding(m);
      if (activeMachine == m) {
        activeMachine = null;
      }
      m.close();
    });
    return new RunningMachine(m, entry);
  }

  Optional<Machine> activeMachine() {
    return Optional.ofNullable(activeMachine);
  }

  /** The diagnostics to save before cleanup: the error, then the running machine's. */
  List<String> diagnostics(Exception e) {
    List<String> out = new ArrayList<>();
    out.add("error: " + e);
    if (activeMachine != null) {
      out.addAll(List.of(activeMachine.diagnostics().split("\n")));
    }
    // a console may echo what a provisioning step printed, a secret included
    return out.stream().map(log::mask).toList();
  }

  BuildManifest manifest() {
    Map<String, Double> seconds = new java.util.LinkedHashMap<>(); // in stage order
    times.forEach((k, v) -> seconds.put(k.name().toLowerCase(java.util.Locale.ROOT),
        v.toMillis() / 1000.0));
    return new BuildManifest(KilnVersion.get(), settings.buildId(), recipe.name(),
        recipeFile(), recipe.os().toString(), host(), started, source, install,
        stepPlan == null ? null : stepPlan.record().orElse(null), survivors, keyScan,
        secretScan, BuildManifest.Verify.of(verify), events.now().toString(), seconds, artifacts,
        inventory.stream().map(p -> new BuildManifest.Package(p.name(), p.version(), p.arch()))
            .toList(), BuildManifest.Security.of(security),
        hardening == null ? null : hardening.manifest(), sbom,
        provenance, published);
  }

  private BuildManifest.RecipeFile recipeFile() {
    return settings.recipeFile().map(f -> {
      String name = f.getFileName().toString();
      try {
        return new BuildManifest.RecipeFile(name, ProvenanceWriter.sha256(f));
      } catch (java.io.IOException e) {
        return new BuildManifest.RecipeFile(name, null); // moved away since the build began
      }
    }).orElse(null);
  }

  private BuildManifest.Host host() {
    String builder;
    try {
      builder = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      builder = "unknown";
    }
    // only a hypervisor the build connected to is asked (a failed source stage made none)
    java.util.Map<String, String> versions = hypervisor == null ? java.util.Map.of()
        : hypervisor.versions();
    return new BuildManifest.Host(builder, System.getProperty("os.name") + " "
        + System.getProperty("os.version"), "Java " + Runtime.version(),
        dev.kiln.api.KilnVersion.commit(), recipe.machine().libvirtUri().toString(),
        versions.get("libvirt"), versions.get("qemu"), tally.accelerator());
  }
}
