package dev.kiln.core.internal.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.Answers;
import dev.kiln.api.BuildFailedException;
import dev.kiln.api.CloudImageSource;
import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.GuestIntegration;
import dev.kiln.api.IsoSource;
import dev.kiln.api.KilnException;
import dev.kiln.api.KilnVersion;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.Recipe;
import dev.kiln.api.UserAccount;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.core.Build;
import dev.kiln.core.BuildResult;
import dev.kiln.core.internal.provision.Generalizer;
import dev.kiln.core.internal.provision.GuestScriptRunner;
import dev.kiln.core.internal.provision.Provisioner;
import dev.kiln.core.internal.source.ContentCache;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.core.internal.ssh.SshCommunicator;
import dev.kiln.core.internal.ssh.SshEndpoint;
import dev.kiln.formats.DiskImages;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.initrd.InitrdInjector;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Hypervisor;
import dev.kiln.spi.Machine;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.OsProfile;
import dev.kiln.spi.Publisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One run of the pipeline (see {@link Build}). Stages run in order, each timed and announced by
 * events; a failing stage saves diagnostics, cleans up (or keeps the machine when asked) and
 * becomes a {@link BuildFailedException} naming it.
 */
public final class BuildRun {
  static final String BUILD_USER = "kiln-build";

  private final Build.Settings s;
  private final Recipe recipe;
  private final Map<Stage, Duration> times = new EnumMap<>(Stage.class);
  private final List<String> diagnostics = new ArrayList<>();
  private final ObjectNode manifest = new ObjectMapper().createObjectNode();
  private Path buildDir;
  /** Files of the build directory needed only while machines run. */
  private final List<Path> scratch = new ArrayList<>();
  private BuildKey key;
  private Hypervisor hypervisor;
  private Machine machine;
  private SshCommunicator ssh;
  private boolean keepMachine;
  private boolean installReused;
  private PackageProxy proxy;
  /** Mirrors the built-in package proxy lets the guest reach (plain HTTP only). */
  static final java.util.Set<String> DEFAULT_MIRRORS = java.util.Set.of("deb.debian.org",
      "security.debian.org", "archive.ubuntu.com", "security.ubuntu.com");

  public BuildRun(Build.Settings settings) {
    this.s = settings;
    this.recipe = settings.recipe();
  }

  /** What the source stage resolved: the base disk (or the installer ISO) and provenance. */
  private record Base(Path file, String format, ObjectNode provenance) {}

  public BuildResult run() throws BuildFailedException, InterruptedException {
    try {
      buildDir = s.workRoot().resolve("builds").resolve(s.buildId());
      Files.createDirectories(buildDir, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwxr-xr-x")));
      buildDir.toFile().setReadable(true, false);
      buildDir.toFile().setExecutable(true, false);
      OsProfile profile = s.osProfiles().apply(recipe.os()).orElseThrow(() ->
          new KilnException("no OS profile for " + recipe.os() + " (see kiln list)"));
      manifest.put("kilnVersion", KilnVersion.get());
      manifest.put("buildId", s.buildId());
      manifest.put("recipe", recipe.name());
      manifest.put("os", recipe.os().toString());
      manifest.put("started", Instant.now().toString());

      Base source = stage(Stage.SOURCE, () -> resolveSource(profile));
      Base base = source;
      if (recipe.source() instanceof IsoSource) {
        base = stage(Stage.INSTALL, () -> install(profile, source));
      } else {
        key = BuildKey.generate("kiln-build-" + s.buildId());
      }
      Base bootDisk = base;
      stage(Stage.CONNECT, () -> {
        connect(bootDisk);
        return null;
      });
      List<String> packages = stage(Stage.PROVISION, () -> provision(profile));
      stage(Stage.GENERALIZE, () -> {
        generalize(profile);
        return null;
      });
      List<Exporter.Artifact> artifacts = stage(Stage.EXPORT, this::export);
      closeMachine();
      List<Publisher.PublishedTemplate> published = new ArrayList<>();
      if (s.publisher().isPresent() && !recipe.publish().isEmpty()) {
        published = stage(Stage.PUBLISH, () -> publish(artifacts));
      }
      Path manifestFile = writeManifest(artifacts, packages, published);
      List<BuildResult.Artifact> result = artifacts.stream().map(a -> new BuildResult.Artifact(
          a.spec(), a.file().file(), a.file().size(), a.file().checksums())).toList();
      return new BuildResult(s.buildId(), result, times, manifestFile, published,
          installReused);
    } catch (StageFailure f) {
      throw f.exception;
    } catch (KilnException | IOException e) {
      throw new BuildFailedException(Stage.SOURCE, e.getMessage(), diagnostics, e);
    } finally {
      if (!keepMachine) {
        closeQuietly();
        removeScratch();
      }
    }
  }

  /** {@code name} in the build directory, recorded as scratch to delete when the build ends. */
  private Path scratch(String name) {
    Path file = buildDir.resolve(name);
    scratch.add(file);
    return file;
  }

  /**
   * Deletes what the build directory held only for the machines (kernels, initrds, seeds,
   * copies of disks); console logs and the package list stay as the build's record.
   */
  private void removeScratch() {
    if (buildDir == null) {
      return;
    }
    List<Path> files = new ArrayList<>(scratch);
    files.add(buildDir.resolve("id_ed25519")); // written by BuildKey.writeTo
    files.add(buildDir.resolve("id_ed25519.pub"));
    for (Path file : files) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        s.events().dispatch(new KilnEvent.Warning(s.buildId(), Instant.now(), "build.scratch",
            "could not remove " + file + ": " + e.getMessage()));
      }
    }
  }

  // ---- stages ------------------------------------------------------------------------------

  private Base resolveSource(OsProfile profile) throws Exception {
    ObjectNode prov = manifest.putObject("source");
    ContentCache cache = new ContentCache(s.workRoot().resolve("cache"));
    if (recipe.source() instanceof CloudImageSource c) {
      ContentCache.Resolved r = cache.resolve(c.image(), s.events(), s.buildId());
      prov.put("type", "cloud-image").put("origin", r.origin().toString())
          .put("checksum", r.checksum().algorithm() + ":" + r.checksum().hex());
      return new Base(r.file(), formatOf(r.file()), prov);
    }
    if (recipe.source() instanceof IsoSource i) {
      ContentCache.Resolved r = cache.resolve(i.iso(), s.events(), s.buildId());
      prov.put("type", "iso").put("origin", r.origin().toString())
          .put("checksum", r.checksum().algorithm() + ":" + r.checksum().hex());
      return new Base(r.file(), "iso", prov);
    }
    DebootstrapSource d = (DebootstrapSource) recipe.source();
    Path disk = DebootstrapBase.build(d, s.workRoot().resolve("cache").resolve("debootstrap"),
        recipe.machine().diskSizeBytes(), s.events(), s.buildId());
    prov.put("type", "debootstrap").put("suite", d.suite()).put("mirror", d.mirror().toString())
        .put("disk", disk.getFileName().toString());
    return new Base(disk, "raw", prov);
  }

  private static String formatOf(Path file) throws IOException {
    ImageFormat f = DiskImages.detect(file);
    return switch (f) {
      case QCOW2 -> "qcow2";
      case RAW -> "raw";
      default -> throw new IOException(file + " is a " + f + " image; a cloud image must be "
          + "qcow2 or raw");
    };
  }

  /** Installs the OS from its ISO onto a new disk, or reuses the cached result. */
  private Base install(OsProfile profile, Base iso) throws Exception {
    String checksum = iso.provenance().path("checksum").asText();
    // the key covers everything the install depends on, secrets only as digests; the build
    // user is left out (its key is stored with the installed disk)
    OsProfile.InstallPlan plain = profile.plan(recipe);
    String cacheKey = sha256(checksum + "\n" + plain.kernelArguments() + "\n"
        + InstallKey.of(recipe) + "\n" + KilnVersion.get()).substring(0, 24);
    Path installed = s.workRoot().resolve("cache").resolve("installed");
    Files.createDirectories(installed);
    installed.toFile().setExecutable(true, false);
    installed.toFile().setReadable(true, false);
    Path disk = installed.resolve(cacheKey + ".qcow2");
    Path keyFile = installed.resolve(cacheKey + ".key");
    ObjectNode prov = manifest.putObject("install").put("cacheKey", cacheKey);
    answersDigests(plain).forEach(prov.putObject("answerFiles")::put);
    if (Files.isRegularFile(disk) && Files.isRegularFile(keyFile)) {
      key = BuildKey.load(Files.readString(keyFile));
      installReused = true;
      prov.put("reused", true);
      s.events().dispatch(new KilnEvent.Warning(s.buildId(), Instant.now(), "install.reused",
          "the OS installed by an earlier build with the same ISO and answers is reused ("
              + disk.getFileName() + ")"));
      return new Base(disk, "qcow2", prov);
    }
    key = BuildKey.generate("kiln-build-" + cacheKey);
    Answers.Builder answers = Answers.builder();
    recipe.answers().users().forEach(answers::addUser);
    answers.addUser(new UserAccount(BUILD_USER, List.of(key.publicKey()), Optional.empty(),
        true, List.of()));
    recipe.answers().rootPassword().ifPresent(answers::rootPassword);
    answers.locale(recipe.answers().locale()).keyboard(recipe.answers().keyboard())
        .timezone(recipe.answers().timezone()).addPackages(recipe.answers().packages())
        .partitioning(recipe.answers().partitioning());
    recipe.answers().registration().ifPresent(answers::registration);
    OsProfile.InstallPlan plan = profile.plan(recipe.toBuilder().answers(answers.build())
        .build());
    Path kernel = scratch("kernel");
    Path initrd = scratch("initrd");
    try (IsoReader reader = IsoReader.open(iso.file())) {
      reader.extract(plan.kernelPathInIso(), kernel);
      reader.extract(plan.initrdPathInIso(), initrd);
    }
    List<Path> cdroms = new ArrayList<>(List.of(iso.file()));
    switch (plan.delivery()) {
      case INITRD -> {
        Path injected = scratch("initrd-kiln");
        InitrdInjector.inject(initrd, plan.answerFiles(), injected);
        initrd = injected;
      }
      case SEED_CIDATA, SEED_OEMDRV -> {
        Path seed = scratch("answers.iso");
        IsoImageWriter.Builder w = IsoImageWriter.builder(plan.delivery()
            == OsProfile.AnswerDelivery.SEED_CIDATA ? "CIDATA" : "OEMDRV");
        plan.answerFiles().forEach(w::addFile);
        w.writeTo(seed);
        cdroms.add(seed);
      }
      default -> throw new IllegalStateException();
    }
    Path target = scratch("install-disk.qcow2");
    try (Qcow2Writer w = Qcow2Writer.create(target, recipe.machine().diskSizeBytes(),
        Qcow2Options.defaults())) {
      w.finish();
    }
    MachineSpec.Builder spec = machineSpec("install").rebootEndsMachine(true)
        .addDisk(new MachineSpec.Disk(target, "qcow2", false))
        .kernelBoot(new MachineSpec.KernelBoot(kernel, initrd, plan.kernelArguments()));
    cdroms.forEach(spec::addCdrom);
    machine = hypervisor().create(spec.build(), s.events());
    machine.start();
    if (!machine.awaitPowerOff(s.installTimeout())) {
      throw new KilnException("the installer did not power off within "
          + s.installTimeout().toMinutes() + " min");
    }
    closeMachine();
    Path tmpKey = installed.resolve(cacheKey + ".key.partial");
    Files.deleteIfExists(tmpKey);
    Files.createFile(tmpKey, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmpKey, key.privateKeyText());
    Files.move(tmpKey, keyFile, StandardCopyOption.ATOMIC_MOVE);
    Files.move(target, disk, StandardCopyOption.ATOMIC_MOVE);
    disk.toFile().setReadable(true, false);
    return new Base(disk, "qcow2", prov);
  }

  private void connect(Base base) throws Exception {
    Path seed = scratch("seed.iso");
    IsoImageWriter.builder("CIDATA")
        .addFile("user-data", CloudInitSeed.userData(BUILD_USER, key.publicKey(),
            recipe.answers()).getBytes(StandardCharsets.UTF_8))
        .addFile("meta-data", ("instance-id: kiln-" + s.buildId() + "\nlocal-hostname: "
            + "kiln-build\n").getBytes(StandardCharsets.UTF_8))
        .writeTo(seed);
    MachineSpec spec = machineSpec("build")
        .addDisk(MachineSpec.Disk.overlayOn(base.file(), base.format()))
        .addCdrom(seed).forwardGuestPort(22).build();
    machine = hypervisor().create(spec, s.events());
    machine.start();
    int port = machine.forwardedPort(22).orElseThrow().getPort();
    ssh = SshCommunicator.connect(new SshEndpoint("127.0.0.1", port, BUILD_USER, key),
        s.sshTimeout(), Optional.of(machine), s.events(), s.buildId());
    ssh.exec(ExecRequest.of("cloud-init status --wait >/dev/null 2>&1 || true",
        Duration.ofMinutes(15)));
    int proxyPort;
    if (s.packageProxyPort().isPresent()) {
      proxyPort = s.packageProxyPort().get();
    } else {
      java.util.Set<String> hosts = new java.util.HashSet<>(DEFAULT_MIRRORS);
      if (recipe.source() instanceof DebootstrapSource d && d.mirror().getHost() != null) {
        hosts.add(d.mirror().getHost().toLowerCase(java.util.Locale.ROOT));
      }
      proxy = PackageProxy.start(hosts);
      proxyPort = proxy.port();
    }
    // the guest's only way to packages: 127.0.0.1:3142 in the guest, through this connection
    ssh.forwardRemote(3142, proxyPort);
  }

  private Map<String, String> provisionEnvironment() {
    return Map.of("http_proxy", "http://127.0.0.1:3142");
  }

  private List<String> provision(OsProfile profile) throws Exception {
    new Provisioner(ssh, profile.family(), provisionEnvironment()).run(recipe.provisioning());
    if (recipe.guestIntegration() != GuestIntegration.NONE) {
      for (String purpose : List.of("cloudstack-integration", "hypervisor-tools")) {
        Optional<String> script = profile.guestScript(purpose, recipe);
        if (script.isPresent()) {
          GuestScriptRunner.run(ssh, purpose + ".sh", script.get(), provisionEnvironment(), "",
              Duration.ofMinutes(30));
        }
      }
    }
    // the whole list travels by SFTP: command output keeps only a tail
    var r = ssh.exec(ExecRequest.of("(dpkg-query -W -f='${Package} ${Version}\\n' || rpm -qa "
        + "--qf '%{NAME} %{VERSION}-%{RELEASE}\\n') 2>/dev/null | sort > /tmp/kiln-packages.txt",
        Duration.ofMinutes(2)));
    Path list = buildDir.resolve("packages.txt");
    if (r.succeeded()) {
      ssh.download("/tmp/kiln-packages.txt", list);
      return Files.readAllLines(list, StandardCharsets.UTF_8);
    }
    return List.of();
  }

  private void generalize(OsProfile profile) throws Exception {
    if (recipe.generalize().enabled()) {
      String script = profile.guestScript("generalize", recipe).orElseThrow(() ->
          new KilnException(profile.id() + " has no generalize script"));
      List<String> survivors = Generalizer.generalizeAndPowerOff(ssh, script,
          recipe.generalize(), key.publicKey(), s.events(), s.buildId());
      manifest.putArray("generalizeSurvivors").addAll(survivors.stream()
          .map(manifest::textNode).toList());
    } else {
      ssh.execExpectingDisconnect(new ExecRequest("(sleep 1; systemctl poweroff) >/dev/null "
          + "2>&1 &", Duration.ofSeconds(30), Map.of(), true, false));
    }
    ssh.close();
    ssh = null;
    if (!machine.awaitPowerOff(Duration.ofMinutes(5))) {
      machine.shutdown(Duration.ofMinutes(2));
    }
  }

  private List<Exporter.Artifact> export() throws Exception {
    Path disk = machine.localDisk(0).orElse(null);
    if (disk == null) {
      disk = scratch("final.qcow2");
      machine.fetchDisk(0, disk);
    }
    String baseName = recipe.name();
    List<Exporter.Artifact> artifacts = Exporter.export(disk, recipe.outputs(),
        s.outputDirectory(), baseName, recipe.os().toString(), recipe.machine().cpus(),
        recipe.machine().memoryMiB(), recipe.machine().firmware(), s.buildId(), s.events());
    Exporter.writeChecksumFiles(s.outputDirectory(), artifacts);
    return artifacts;
  }

  private List<Publisher.PublishedTemplate> publish(List<Exporter.Artifact> artifacts)
      throws Exception {
    List<Publisher.Artifact> list = artifacts.stream().map(a -> new Publisher.Artifact(
        a.file().file(), a.spec(), a.file().size(), a.file().checksums())).toList();
    List<Publisher.PublishedTemplate> out = new ArrayList<>();
    for (PublishTarget t : recipe.publish()) {
      out.addAll(s.publisher().orElseThrow().publish(s.buildId(), list, t, s.events()));
    }
    return out;
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private MachineSpec.Builder machineSpec(String role) {
    String name = ("kiln-" + s.buildId() + "-" + role).replaceAll("[^A-Za-z0-9._-]", "-");
    return MachineSpec.builder(name.length() > 64 ? name.substring(0, 64) : name)
        .cpus(recipe.machine().cpus()).memoryMiB(recipe.machine().memoryMiB())
        .firmware(recipe.machine().firmware(), recipe.machine().secureBoot())
        .accelerator(recipe.machine().accelerator()).label("build", s.buildId())
        .consoleLog(buildDir.resolve("console-" + role + ".log"));
  }

  private Hypervisor hypervisor() throws KilnException {
    if (hypervisor == null) {
      hypervisor = s.hypervisors().connect(recipe.machine().libvirtUri());
    }
    return hypervisor;
  }

  /** A stage's work. */
  private interface Work<T> {
    T call() throws Exception;
  }

  /** Carries a stage's failure out of the stage sequence. */
  private static final class StageFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final BuildFailedException exception;

    StageFailure(BuildFailedException exception) {
      this.exception = exception;
    }
  }

  private <T> T stage(Stage stage, Work<T> work) throws StageFailure, InterruptedException {
    Instant start = Instant.now();
    s.events().dispatch(new KilnEvent.StageStarted(s.buildId(), start, stage));
    try {
      T result = work.call();
      finish(stage, start, true);
      return result;
    } catch (InterruptedException e) {
      finish(stage, start, false);
      throw e;
    } catch (Exception e) {
      finish(stage, start, false);
      collectDiagnostics(e);
      if (s.keepOnError() && machine != null) {
        keepMachine = true;
        String how = machine.forwardedPort(22).map(a -> "ssh -i " + buildDir.resolve(
            "id_ed25519") + " -p " + a.getPort() + " " + BUILD_USER + "@127.0.0.1").orElse(
            "virsh console " + machine.name());
        try {
          if (key != null) {
            key.writeTo(buildDir);
          }
        } catch (IOException ignored) {
          // the command below then needs the key from elsewhere
        }
        s.events().dispatch(new KilnEvent.Warning(s.buildId(), Instant.now(), "build.kept",
            "the machine " + machine.name() + " was kept running; reach it with: " + how
                + "; remove it with: kiln clean --all or virsh destroy " + machine.name()));
      }
      throw new StageFailure(new BuildFailedException(stage, String.valueOf(e.getMessage()),
          diagnostics, e));
    }
  }

  private void finish(Stage stage, Instant start, boolean ok) {
    Duration took = Duration.between(start, Instant.now());
    times.put(stage, took);
    s.events().dispatch(new KilnEvent.StageFinished(s.buildId(), Instant.now(), stage, took,
        ok));
  }

  private void collectDiagnostics(Exception e) {
    diagnostics.add("error: " + e);
    if (machine != null) {
      diagnostics.addAll(List.of(machine.diagnostics().split("\n")));
    }
  }

  private void closeMachine() {
    if (ssh != null) {
      ssh.close();
      ssh = null;
    }
    if (machine != null) {
      try {
        machine.close();
      } catch (KilnException e) {
        s.events().dispatch(new KilnEvent.Warning(s.buildId(), Instant.now(), "machine.close",
            e.getMessage()));
      }
      machine = null;
    }
  }

  private void closeQuietly() {
    closeMachine();
    if (proxy != null) {
      proxy.close();
    }
    if (hypervisor != null) {
      try {
        hypervisor.close();
      } catch (KilnException ignored) {
        // the connection goes with the process
      }
    }
  }

  private Path writeManifest(List<Exporter.Artifact> artifacts, List<String> packages,
      List<Publisher.PublishedTemplate> published) throws IOException {
    manifest.put("finished", Instant.now().toString());
    ObjectNode stages = manifest.putObject("stageSeconds");
    times.forEach((k, v) -> stages.put(k.name().toLowerCase(), v.toMillis() / 1000.0));
    ArrayNode arts = manifest.putArray("artifacts");
    for (Exporter.Artifact a : artifacts) {
      ObjectNode n = arts.addObject();
      n.put("file", a.file().file().getFileName().toString());
      n.put("hypervisor", a.spec().hypervisor().name());
      n.put("format", a.spec().format().name());
      n.put("compression", a.spec().compression().name());
      n.put("size", a.file().size());
      a.file().checksums().forEach(n.putObject("checksums")::put);
    }
    ArrayNode pkgs = manifest.putArray("packages");
    packages.stream().filter(p -> !p.isBlank()).forEach(pkgs::add);
    ArrayNode pub = manifest.putArray("published");
    for (Publisher.PublishedTemplate t : published) {
      pub.addObject().put("id", t.id()).put("name", t.name()).put("zone", t.zone())
          .put("hypervisor", t.hypervisor());
    }
    Files.createDirectories(s.outputDirectory());
    Path file = s.outputDirectory().resolve("manifest.json");
    Path tmp = s.outputDirectory().resolve("manifest.json.partial");
    Files.write(tmp, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsBytes(manifest));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return file;
  }

  private static Map<String, String> answersDigests(OsProfile.InstallPlan plan) {
    Map<String, String> out = new TreeMap<>();
    plan.answerFiles().forEach((name, bytes) -> out.put(name, sha256(bytes)));
    return out;
  }

  static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
