package dev.kiln.core;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Recipe;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.core.internal.pipeline.BuildRun;
import dev.kiln.spi.HypervisorProvider;
import dev.kiln.spi.OsProfile;
import dev.kiln.spi.Publisher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One build of a recipe: Source → Install → Connect → Provision → Generalize → Export →
 * Publish. Each stage reports typed events; a failure saves diagnostics, cleans up (unless
 * asked to keep the machine) and ends in a {@link BuildFailedException} naming the stage.
 *
 * <pre>{@code
 * BuildResult r = Build.builder(recipe)
 *     .hypervisors(uri -> KvmHypervisor.builder().uri(uri).build())
 *     .osProfiles(os -> catalog.profile(os.id()))
 *     .outputDirectory(Path.of("out"))
 *     .events(EventHandlers.create().addAll(System.out::println))
 *     .build().run();
 * }</pre>
 */
public final class Build {
  private final Settings settings;

  private Build(Settings settings) {
    this.settings = settings;
  }

  public static Builder builder(Recipe recipe) {
    return new Builder(recipe);
  }

  public String id() {
    return settings.buildId();
  }

  /** Runs the build; interrupting the thread cancels it (with cleanup). */
  public BuildResult run() throws BuildFailedException, InterruptedException {
    return new BuildRun(settings).run();
  }

  /** Everything a build needs, resolved. */
  public record Settings(Recipe recipe, String buildId, Path workRoot, Path outputDirectory,
      HypervisorProvider hypervisors, Function<OsSelection, Optional<OsProfile>> osProfiles,
      Optional<Publisher> publisher, EventHandlers events, boolean keepOnError,
      Duration installTimeout, Duration sshTimeout, Optional<Integer> packageProxyPort) {}

  /** Builder for {@link Build}. */
  public static final class Builder {
    private final Recipe recipe;
    private String buildId = LocalDateTime.now(ZoneOffset.UTC).format(
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    private Path workRoot = Path.of("/var/tmp/kiln");
    private Path outputDirectory = Path.of("out");
    private HypervisorProvider hypervisors;
    private Function<OsSelection, Optional<OsProfile>> osProfiles = os -> Optional.empty();
    private Optional<Publisher> publisher = Optional.empty();
    private EventHandlers events = EventHandlers.NONE;
    private boolean keepOnError;
    private Duration installTimeout = Duration.ofMinutes(90);
    private Duration sshTimeout = Duration.ofMinutes(15);
    private Optional<Integer> packageProxyPort = Optional.empty();

    private Builder(Recipe recipe) {
      this.recipe = Objects.requireNonNull(recipe);
    }

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

    public Builder outputDirectory(Path p) {
      this.outputDirectory = Objects.requireNonNull(p);
      return this;
    }

    public Builder hypervisors(HypervisorProvider p) {
      this.hypervisors = Objects.requireNonNull(p);
      return this;
    }

    public Builder osProfiles(Function<OsSelection, Optional<OsProfile>> f) {
      this.osProfiles = Objects.requireNonNull(f);
      return this;
    }

    public Builder publisher(Publisher p) {
      this.publisher = Optional.of(p);
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

    public Builder installTimeout(Duration d) {
      this.installTimeout = Objects.requireNonNull(d);
      return this;
    }

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

    public Build build() {
      if (hypervisors == null) {
        throw new IllegalStateException("no hypervisor provider (e.g. KvmHypervisor)");
      }
      return new Build(new Settings(recipe, buildId, workRoot, outputDirectory, hypervisors,
          osProfiles, publisher, events, keepOnError, installTimeout, sshTimeout,
          packageProxyPort));
    }
  }
}
