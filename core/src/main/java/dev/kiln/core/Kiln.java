package dev.kiln.core;

import dev.kiln.api.MachineException;
import dev.kiln.api.Recipe;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.history.BuildHistory;
import dev.kiln.core.matrix.BuildHost;
import dev.kiln.core.matrix.MatrixEntry;
import dev.kiln.core.metrics.KilnMetrics;
import dev.kiln.spi.HypervisorBackend;
import dev.kiln.spi.HypervisorProvider;
import dev.kiln.spi.OsCatalog;
import dev.kiln.spi.OsProfile;
import dev.kiln.spi.PublisherProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Kiln's entry point for embedders: one wiring of hypervisors, OS catalog, publishers, work
 * root, events and clock, from which builds and matrices are made. {@link #standard()} finds
 * the parts on the class path with {@link ServiceLoader} (KVM from {@code kiln-hypervisor-kvm},
 * the built-in OS catalog from {@code kiln-templates}, CloudStack from {@code kiln-cloudstack});
 * the builder takes custom parts.
 *
 * <pre>{@code
 * try (Kiln kiln = Kiln.standard()) {
 *   BuildResult r = kiln.build(Recipes.load(Path.of("debian-12.yaml")))
 *       .outputDirectory(Path.of("out")).build().run();
 * }
 * }</pre>
 */
public final class Kiln implements AutoCloseable {
  private final HypervisorProvider hypervisors;
  private final OsCatalog catalog;
  private final List<PublisherProvider> publishers;
  private final Path workRoot;
  private final EventHandlers events;
  private final Clock clock;
  private volatile boolean closed;

  private Kiln(Builder b) {
    List<HypervisorBackend> backends = List.copyOf(b.backends);
    this.workRoot = b.workRoot;
    this.hypervisors = b.hypervisors != null ? b.hypervisors : uri -> {
      for (HypervisorBackend backend : backends) {
        if (backend.accepts(uri)) {
          return backend.connect(uri, workRoot);
        }
      }
      throw new MachineException("no hypervisor backend accepts " + uri + (backends.isEmpty()
          ? " (none on the class path; add kiln-hypervisor-kvm)" : " (known: " + backends
              .stream().map(HypervisorBackend::name).toList() + ")"));
    };
    List<OsCatalog> catalogs = List.copyOf(b.catalogs);
    this.catalog = os -> {
      for (OsCatalog c : catalogs) {
        Optional<OsProfile> p = c.profile(os);
        if (p.isPresent()) {
          return p;
        }
      }
      return Optional.empty();
    };
    this.publishers = List.copyOf(b.publishers);
    EventHandlers.Builder all = EventHandlers.builder();
    b.registries.forEach(registry -> all.add(KilnEvent.BuildFinished.class,
        KilnMetrics.on(registry)::accept));
    b.histories.forEach(history -> all.add(KilnEvent.BuildFinished.class, history::record));
    this.events = b.events.and(all.build());
    this.clock = b.clock;
  }

  /** Everything found on the class path, work root {@code /var/tmp/kiln}. */
  public static Kiln standard() {
    return builder().discover().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A build of {@code recipe} wired to this Kiln; its builder takes per-build settings. */
  public Build.Builder build(Recipe recipe) {
    ensureOpen();
    return Build.builder(recipe).hypervisors(hypervisors).osCatalog(catalog)
        .publishers(publishers).workRoot(workRoot).events(events).clock(clock);
  }

  /** A matrix of builds over a pool of hosts, each build wired as {@link #build} does. */
  public MatrixBuild matrix(List<MatrixEntry> entries, List<BuildHost> hosts) {
    ensureOpen();
    return new MatrixBuild(this::build, entries, hosts, events).hostCheck(hypervisors);
  }

  /** The OS catalog builds resolve their profile from. */
  public OsCatalog osCatalog() {
    return catalog;
  }

  /** The publishers this Kiln routes publish targets to. */
  public List<PublisherProvider> publishers() {
    return publishers;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this Kiln is closed");
    }
  }

  /** Later calls fail; builds already made run to their end and clean up after themselves. */
  @Override
  public void close() {
    closed = true;
  }

  /** Builder for {@link Kiln}. */
  public static final class Builder {
    private final List<HypervisorBackend> backends = new ArrayList<>();
    private HypervisorProvider hypervisors;
    private final List<OsCatalog> catalogs = new ArrayList<>();
    private final List<PublisherProvider> publishers = new ArrayList<>();
    private Path workRoot = Path.of("/var/tmp/kiln");
    private EventHandlers events = EventHandlers.NONE;
    private Clock clock = Clock.systemUTC();
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final List<BuildHistory> histories = new ArrayList<>();

    private Builder() {}

    /** Adds every hypervisor backend, OS catalog and publisher found by ServiceLoader. */
    public Builder discover() {
      ClassLoader loader = Kiln.class.getClassLoader();
      ServiceLoader.load(HypervisorBackend.class, loader).forEach(backends::add);
      ServiceLoader.load(OsCatalog.class, loader).forEach(catalogs::add);
      ServiceLoader.load(PublisherProvider.class, loader).forEach(publishers::add);
      return this;
    }

    /** Connects every build with {@code p} instead of the discovered backends. */
    public Builder hypervisors(HypervisorProvider p) {
      this.hypervisors = Objects.requireNonNull(p);
      return this;
    }

    public Builder addHypervisorBackend(HypervisorBackend b) {
      backends.add(Objects.requireNonNull(b));
      return this;
    }

    /** An OS catalog, asked before those added later. */
    public Builder addOsCatalog(OsCatalog c) {
      catalogs.add(Objects.requireNonNull(c));
      return this;
    }

    public Builder addPublisher(PublisherProvider p) {
      publishers.add(Objects.requireNonNull(p));
      return this;
    }

    /** Caches, machine directories and build logs (default {@code /var/tmp/kiln}). */
    public Builder workRoot(Path p) {
      this.workRoot = Objects.requireNonNull(p);
      return this;
    }

    /** Handlers every build's events go to. */
    public Builder events(EventHandlers e) {
      this.events = Objects.requireNonNull(e);
      return this;
    }

    /**
     * Records every build's metrics in {@code registry} (see {@link KilnMetrics}); without one
     * Kiln measures nothing. The registry stays the embedder's: Kiln never closes it.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      registries.add(Objects.requireNonNull(registry));
      return this;
    }

    /**
     * Records every build (outcome, stage times, sizes) in {@code history}, which stays the
     * embedder's to close.
     */
    public Builder buildHistory(BuildHistory history) {
      histories.add(Objects.requireNonNull(history));
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    public Kiln build() {
      return new Kiln(this);
    }
  }
}
