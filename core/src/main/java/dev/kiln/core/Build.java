package dev.kiln.core;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.KilnException;
import dev.kiln.api.Recipe;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.core.internal.pipeline.BuildSettings;
import dev.kiln.core.internal.pipeline.GuestConnector;
import dev.kiln.core.internal.pipeline.Pipeline;
import dev.kiln.core.internal.pipeline.PublishRouting;
import dev.kiln.spi.HypervisorProvider;
import dev.kiln.spi.OsCatalog;
import dev.kiln.spi.OsProfile;
import dev.kiln.spi.Publisher;
import dev.kiln.spi.PublisherProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One build of a recipe: Source → Install → Connect → Provision → Generalize → Export →
 * Publish. Each stage reports typed events; a failure saves diagnostics, cleans up (unless
 * asked to keep the machine) and ends in a {@link BuildFailedException} naming the stage.
 * Most embedders get a pre-wired builder from {@link Kiln#build(Recipe)}; wiring by hand:
 *
 * <pre>{@code
 * BuildResult r = Build.builder(recipe)
 *     .hypervisors(uri -> KvmHypervisor.builder().uri(uri).build())
 *     .osCatalog(catalog::profile)
 *     .outputDirectory(Path.of("out"))
 *     .build().run();
 * }</pre>
 */
public final class Build {
  private final BuildSettings settings;

  private Build(BuildSettings settings) {
    this.settings = settings;
  }

  public static Builder builder(Recipe recipe) {
    return new Builder(recipe);
  }

  /** This build's id: its build directory's name and the version of what it publishes. */
  public String id() {
    return settings.buildId();
  }

  /** Runs the build; interrupting the thread cancels it (with cleanup). */
  public BuildResult run() throws BuildFailedException, InterruptedException {
    return new Pipeline(settings).run();
  }

  /** Builder for {@link Build}. */
  public static final class Builder {
    private final Recipe recipe;
    private String buildId;
    private Path workRoot = Path.of("/var/tmp/kiln");
    private Path outputDirectory = Path.of("out");
    private HypervisorProvider hypervisors;
    private OsCatalog osCatalog;
    private Publisher publisher;
    private final List<PublisherProvider> publishers = new ArrayList<>();
    private boolean publish;
    private String publishProfile;
    private EventHandlers events = EventHandlers.NONE;
    private boolean keepOnError;
    private dev.kiln.api.FailurePause failurePause;
    private Duration installTimeout = Duration.ofMinutes(90);
    private Duration sshTimeout = Duration.ofMinutes(15);
    private Optional<Integer> packageProxyPort = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private GuestConnector connector = GuestConnector.ssh();
    private boolean allowPrivateKeys;
    private boolean verify = true;
    private Duration queueWait = Duration.ZERO;
    private java.security.PrivateKey signingKey;
    private Path recipeFile;
    private long stepCacheBytes = dev.kiln.core.stepcache.StepCache.DEFAULT_MAX_BYTES;

    private Builder(Recipe recipe) {
      this.recipe = Objects.requireNonNull(recipe);
    }

    /** The build id (default: the start time, {@code yyyyMMdd-HHmmss} UTC). */
    public Builder buildId(String id) {
      if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,40}")) {
        throw new IllegalArgumentException("build id must be [A-Za-z0-9._-], at most 41");
      }
      this.buildId = id;
      return this;
    }

    /** Machine directories, caches and build logs (default /var/tmp/kiln). */
    public Builder workRoot(Path p) {
      this.workRoot = Objects.requireNonNull(p);
      return this;
    }

    /** Where artifacts, checksum files and {@code manifest.json} go (default {@code out}). */
    public Builder outputDirectory(Path p) {
      this.outputDirectory = Objects.requireNonNull(p);
      return this;
    }

    /** Connects to the host named by the recipe's libvirt URI. */
    public Builder hypervisors(HypervisorProvider p) {
      this.hypervisors = Objects.requireNonNull(p);
      return this;
    }

    /** The operating systems this build may install, e.g. {@code catalog::profile}. */
    public Builder osCatalog(OsCatalog c) {
      this.osCatalog = Objects.requireNonNull(c);
      return this;
    }

    /** Publishes every publish target with {@code p} (and turns publishing on). */
    public Builder publisher(Publisher p) {
      this.publisher = Objects.requireNonNull(p);
      this.publish = true;
      return this;
    }

    /** Providers that publish targets by type and profile (see {@link PublisherProvider}). */
    public Builder publishers(List<PublisherProvider> providers) {
      this.publishers.clear();
      this.publishers.addAll(providers);
      return this;
    }

    /** Whether to publish the recipe's publish targets (default: only with a publisher). */
    public Builder publish(boolean on) {
      this.publish = on;
      return this;
    }

    /** Publishes every target with this profile instead of the recipe's own. */
    public Builder publishProfile(String profile) {
      this.publishProfile = Objects.requireNonNull(profile);
      return this;
    }

    public Builder events(EventHandlers e) {
      this.events = Objects.requireNonNull(e);
      return this;
    }

    /** On failure, leave the machine running and say how to reach it. */
    public Builder keepOnError(boolean keep) {
      this.keepOnError = keep;
      return this;
    }

    /**
     * When a stage fails while the machine runs, call {@code pause} before cleaning up (the
     * machine is reachable until it returns); cleanup then runs as usual, unless
     * {@link #keepOnError} keeps the machine.
     */
    public Builder onFailurePause(dev.kiln.api.FailurePause pause) {
      this.failurePause = Objects.requireNonNull(pause);
      return this;
    }

    /** How long the installer may run before the build fails (default 90 min). */
    public Builder installTimeout(Duration d) {
      this.installTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** How long the guest may take to answer SSH (default 15 min). */
    public Builder sshTimeout(Duration d) {
      this.sshTimeout = Objects.requireNonNull(d);
      return this;
    }

    /**
     * A package proxy (e.g. apt-cacher-ng) on this host's 127.0.0.1: the guest reaches it at
     * its own 127.0.0.1:3142 through an SSH remote forward, and provisioning uses it.
     */
    public Builder packageProxy(int hostPort) {
      this.packageProxyPort = Optional.of(hostPort);
      return this;
    }

    /** The clock stage times, event times and the default build id are read from. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /**
     * Whether to boot the exported template as a new CloudStack VM (ConfigDrive, larger disk)
     * and check it before publishing (default: yes).
     */
    public Builder verify(boolean verify) {
      this.verify = verify;
      return this;
    }

    /**
     * Private-key material found in the exported disk (a deleted host key in a free block, a
     * key a provisioning step left) becomes a warning instead of failing the export, which
     * otherwise removes the artifacts.
     */
    public Builder allowPrivateKeys(boolean allow) {
      this.allowPrivateKeys = allow;
      return this;
    }

    /**
     * How long this build waited for a host before it was made (a matrix entry's queue time);
     * recorded in its {@link dev.kiln.api.event.BuildSummary}.
     */
    public Builder queuedFor(Duration d) {
      this.queueWait = Objects.requireNonNull(d);
      return this;
    }

    /**
     * Signs the build's provenance ({@code provenance.intoto.jsonl}: an in-toto statement with
     * SLSA provenance in a DSSE envelope) with this Ed25519 key; without one no provenance is
     * written. See {@link dev.kiln.core.provenance.SigningKeys} for reading OpenSSL's PEM.
     */
    public Builder signWith(java.security.PrivateKey key) {
      if (!"EdDSA".equals(key.getAlgorithm()) && !"Ed25519".equals(key.getAlgorithm())) {
        throw new IllegalArgumentException("the provenance is signed with Ed25519, not "
            + key.getAlgorithm());
      }
      this.signingKey = key;
      return this;
    }

    /**
     * The step cache's size cap (default {@value dev.kiln.core.stepcache.StepCache#DEFAULT_MAX_BYTES}
     * bytes): after each provisioning step the disk's new layer is kept, and a rebuild runs
     * only the steps after its longest unchanged prefix. 0 turns the cache off: every step
     * runs, nothing is kept.
     */
    public Builder stepCache(long maxBytes) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("the step cache's cap cannot be negative");
      }
      this.stepCacheBytes = maxBytes;
      return this;
    }

    /** The file the recipe was read from: the provenance records it with its SHA-256. */
    public Builder recipeFile(Path file) {
      this.recipeFile = Objects.requireNonNull(file);
      return this;
    }

    /** How the build connects to its guest (tests pass a fake; no VM runs in a unit test). */
    Builder guestConnector(GuestConnector c) {
      this.connector = Objects.requireNonNull(c);
      return this;
    }

    /**
     * The build, its OS profile resolved now.
     *
     * @throws KilnException when the catalog does not know the recipe's OS
     * @throws IllegalStateException when no hypervisor provider or OS catalog was given
     */
    public Build build() throws KilnException {
      if (hypervisors == null) {
        throw new IllegalStateException("no hypervisor provider (e.g. KvmHypervisor, or use "
            + "Kiln.standard().build(recipe))");
      }
      if (osCatalog == null) {
        throw new IllegalStateException("no OS catalog (e.g. Catalog.builtIn()::profile, or "
            + "use Kiln.standard().build(recipe))");
      }
      OsProfile profile = osCatalog.profile(recipe.os()).orElseThrow(() -> new KilnException(
          "no OS profile for " + recipe.os() + " (see kiln list)"));
      String id = buildId != null ? buildId : LocalDateTime.now(clock).format(
          DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
      PublishRouting routing = new PublishRouting(publish, Optional.ofNullable(publisher),
          publishers, Optional.ofNullable(publishProfile));
      return new Build(new BuildSettings(recipe, id, workRoot, outputDirectory, hypervisors,
          profile, routing, events, keepOnError, installTimeout, sshTimeout, packageProxyPort,
          clock, connector, allowPrivateKeys, verify, queueWait,
          Optional.ofNullable(signingKey), Optional.ofNullable(recipeFile),
          Optional.ofNullable(failurePause), stepCacheBytes));
    }
  }
}
