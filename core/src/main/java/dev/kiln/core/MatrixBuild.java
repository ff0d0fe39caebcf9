package dev.kiln.core;

import dev.kiln.api.Recipe;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.core.matrix.BuildHost;
import dev.kiln.core.matrix.EntryResult;
import dev.kiln.core.matrix.MatrixEntry;
import dev.kiln.core.matrix.Scheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A matrix run, made by {@code Kiln.matrix}: every entry built on a host of the pool by the
 * {@link Scheduler}, each build wired like a single one (so it publishes when asked), its
 * artifacts under {@code out/ENTRY-ID/}.
 */
public final class MatrixBuild {
  private final Function<Recipe, Build.Builder> builds;
  private final List<MatrixEntry> entries;
  private final List<BuildHost> hosts;
  private final EventHandlers events;
  private Path out = Path.of("out");
  private int parallel;
  private boolean failFast;
  private Consumer<Build.Builder> configure = b -> {};
  private dev.kiln.spi.HypervisorProvider hostCheck;

  public MatrixBuild(Function<Recipe, Build.Builder> builds, List<MatrixEntry> entries,
      List<BuildHost> hosts, EventHandlers events) {
    this.builds = Objects.requireNonNull(builds);
    this.entries = List.copyOf(entries);
    this.hosts = List.copyOf(hosts);
    this.events = events;
    this.parallel = hosts.stream().mapToInt(BuildHost::capacity).sum();
  }

  /**
   * How to ask a host whether it still answers after a build on it failed (a connection to
   * it is opened and closed); without one, only errors that name the host count as its
   * failure.
   */
  public MatrixBuild hostCheck(dev.kiln.spi.HypervisorProvider hypervisors) {
    this.hostCheck = Objects.requireNonNull(hypervisors);
    return this;
  }

  /** The parent of every entry's output directory (default {@code out}). */
  public MatrixBuild outputDirectory(Path p) {
    this.out = Objects.requireNonNull(p);
    return this;
  }

  /** Builds at once (default: the pool's capacity). */
  public MatrixBuild parallel(int n) {
    this.parallel = n;
    return this;
  }

  /** Stop placing entries after the first failure. */
  public MatrixBuild failFast(boolean on) {
    this.failFast = on;
    return this;
  }

  /** Settings applied to every entry's build (publishing, keep-on-error, a package proxy). */
  public MatrixBuild configure(Consumer<Build.Builder> c) {
    this.configure = Objects.requireNonNull(c);
    return this;
  }

  /** Runs every entry; one result per entry, in the matrix's order. */
  public List<EntryResult> run() throws InterruptedException {
    Scheduler scheduler = new Scheduler(hosts, parallel, failFast, events).hostCheck(host -> {
      if (hostCheck == null) {
        return true;
      }
      try (dev.kiln.spi.Hypervisor h = hostCheck.connect(host.uri())) {
        return true;
      } catch (Exception e) {
        return false;
      }
    });
    java.time.Instant queued = java.time.Instant.now(); // every entry is queued at the start
    return scheduler.run(entries, (entry, host) -> {
      Recipe recipe = entry.recipe().toBuilder().machine(entry.recipe().machine().toBuilder()
          .libvirtUri(host.uri()).build()).build();
      Build.Builder b = builds.apply(recipe).buildId(entry.id() + "-" + host.name()
          .replaceAll("[^A-Za-z0-9._-]", "-")).outputDirectory(out.resolve(entry.id()));
      configure.accept(b);
      b.queuedFor(java.time.Duration.between(queued, java.time.Instant.now()));
      return b.build().run();
    });
  }
}
