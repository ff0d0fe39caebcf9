package dev.kiln.core.internal.pipeline;

import dev.kiln.api.Checksum;
import dev.kiln.api.CloudImageSource;
import dev.kiln.api.IsoSource;
import dev.kiln.api.OsSelection;
import dev.kiln.api.OutputSpec;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.Recipe;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.testing.FakeGuest;
import dev.kiln.core.testing.FakeHypervisor;
import dev.kiln.core.testing.FakeOsProfile;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;

/** A build with fakes for the machine side and real files for everything else. */
public final class PipelineFixture {
  static final long DISK_SIZE = 64L << 20;
  public final Path root;
  public final List<String> log = new CopyOnWriteArrayList<>();
  public final List<KilnEvent> events = new CopyOnWriteArrayList<>();
  public final FakeHypervisor hypervisor;
  public final FakeGuest guest;
  public final Path work;
  public final Path out;
  PublishRouting publishing = PublishRouting.none();
  boolean keepOnError;
  dev.kiln.api.FailurePause failurePause;
  boolean allowPrivateKeys;
  boolean verify;
  /** The step cache is off unless a test turns it on (the fake hypervisor cannot layer disks). */
  long stepCacheBytes;
  Duration queueWait = Duration.ZERO;
  public Optional<java.security.PrivateKey> signingKey = Optional.empty();
  public Optional<Path> recipeFile = Optional.empty();
  public GuestConnector connector;

  public PipelineFixture(Path root) throws IOException {
    this.root = root;
    this.work = root.resolve("work");
    this.out = root.resolve("out");
    Files.createDirectories(root.resolve("machines"));
    hypervisor = new FakeHypervisor(log, root.resolve("machines"));
    guest = new FakeGuest(log);
    connector = (address, user, key, deadline, machine, ev) -> {
      log.add("connect " + address.getHostString() + ":" + address.getPort() + " as " + user);
      return guest;
    };
  }

  /** A cloud-image recipe over a small qcow2 base with data, one shell step, qcow2 and vhd. */
  public Recipe.Builder cloudImageRecipe() throws Exception {
    return cloudImageRecipe("a filesystem would be here");
  }

  /** The same with {@code text} in the base disk's data, 1 MiB in. */
  Recipe.Builder cloudImageRecipe(String text) throws Exception {
    Path base = root.resolve("base.qcow2");
    try (Qcow2Writer w = Qcow2Writer.create(base, 16L << 20, Qcow2Options.defaults())) {
      byte[] data = text.getBytes(StandardCharsets.UTF_8);
      w.writeRun(1 << 20, ByteBuffer.wrap(java.util.Arrays.copyOf(data, 65536)));
      w.finish();
    }
    return recipe(new CloudImageSource(local(base)));
  }

  /** An ISO recipe: the fake installer's kernel and initrd on an ISO written for the test. */
  Recipe.Builder isoRecipe() throws Exception {
    Path iso = root.resolve("installer.iso");
    IsoImageWriter.builder("FAKEOS").addFile("install/vmlinuz", new byte[4096])
        .addFile("install/initrd.gz", new byte[4096]).writeTo(iso);
    return recipe(new IsoSource(local(iso)));
  }

  private static RemoteFile local(Path file) throws Exception {
    return new RemoteFile(List.of(), Optional.of(file), Optional.of(new Checksum(
        Checksum.Algorithm.SHA256, sha256(file))), Optional.empty());
  }

  private Recipe.Builder recipe(dev.kiln.api.Source source) {
    return Recipe.builder(new OsSelection("fakeos", "1"), source).name("fake")
        .machine(dev.kiln.api.MachineSettings.builder().diskSizeBytes(DISK_SIZE).build())
        .addProvisionStep(new ProvisionStep.Shell(Optional.of("echo provisioned"),
            Optional.empty(), Duration.ofMinutes(1)))
        .addOutput(new OutputSpec(TargetHypervisor.KVM, ImageFormat.QCOW2, Packaging.NONE))
        .addOutput(new OutputSpec(TargetHypervisor.XENSERVER, ImageFormat.VHD,
            Packaging.NONE));
  }

  public static PublishTarget target(String profile) {
    return new PublishTarget(profile, List.of(), "Other Linux (64-bit)",
        PublishTarget.Mode.UPLOAD, Optional.empty(), Optional.empty(), OptionalInt.empty());
  }

  /** Runs a build of {@code recipe} (for tests outside this package). */
  public dev.kiln.api.BuildResult run(Recipe recipe) throws Exception {
    return pipeline(recipe).run();
  }

  Pipeline pipeline(Recipe recipe) {
    EventHandlers handlers = EventHandlers.builder().addAll(events::add).build();
    // a fixed clock: stage times are zero and event times repeatable
    Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    return new Pipeline(new BuildSettings(recipe, "b1", work, out, uri -> hypervisor,
        new FakeOsProfile(), publishing, handlers, keepOnError, Duration.ofMinutes(1),
        Duration.ofMinutes(1), Optional.of(3142), clock, connector, allowPrivateKeys, verify,
        queueWait, signingKey, recipeFile, Optional.ofNullable(failurePause), stepCacheBytes));
  }

  /** Files left in the build directory. */
  List<String> buildDirectory() throws IOException {
    Path dir = work.resolve("builds").resolve("b1");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      md.update(in.readAllBytes());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
