package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnVersion;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.core.internal.source.ContentCache;
import dev.kiln.spi.Machine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * What a build measures about itself while it runs, for its {@link BuildSummary}: bytes from
 * the progress events, cache lookups, and — sampled every {@link #SAMPLE_EVERY} by a daemon
 * thread — its machines' CPU time and the disk its files take (apparent sizes: a sparse raw
 * output counts whole). A machine's last seconds before
 * it powers off fall between samples (libvirt reports no CPU time for a stopped domain).
 */
final class BuildTally implements AutoCloseable {
  static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);

  private final BuildContext ctx;
  private final Map<String, Long> downloads = new ConcurrentHashMap<>();
  private final Map<String, Long> uploads = new ConcurrentHashMap<>();
  private final Map<String, Duration> machineCpu = new ConcurrentHashMap<>();
  private final AtomicInteger cacheHits = new AtomicInteger();
  private final AtomicInteger cacheMisses = new AtomicInteger();
  private final AtomicLong peakDisk = new AtomicLong();
  private final long processCpuAtStart = processCpuNanos();
  private final long outputBytesAtStart;
  private volatile String accelerator = "unknown";
  private volatile ScheduledExecutorService sampler;

  BuildTally(BuildContext ctx) {
    this.ctx = ctx;
    this.outputBytesAtStart = outputBytes();
  }

  /** Starts sampling (the build directory exists from the source stage on). */
  void start() {
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kiln-tally-" + ctx.settings.buildId());
      t.setDaemon(true);
      return t;
    });
    s.scheduleWithFixedDelay(this::sample, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    sampler = s;
  }

  /** Progress events: the largest count seen per download and per upload. */
  void accept(KilnEvent e) {
    if (e instanceof KilnEvent.ByteProgress p) {
      if (p.stage() == Stage.SOURCE && p.task().startsWith("download ")) {
        downloads.merge(p.task(), p.done(), Math::max);
      } else if (p.stage() == Stage.PUBLISH && p.task().startsWith("upload ")) {
        uploads.merge(p.task(), p.done(), Math::max);
      }
    } else if (e instanceof KilnEvent.StageFinished) {
      sample();
    }
  }

  void cacheLookup(ContentCache.Lookup lookup) {
    if (lookup == ContentCache.Lookup.HIT) {
      cacheHits.incrementAndGet();
    } else if (lookup == ContentCache.Lookup.MISS) {
      cacheMisses.incrementAndGet();
    }
  }

  /** A machine about to be removed: its CPU time is read once more while it still answers. */
  void machineEnding(Machine m) {
    sampleMachine(m);
  }

  private void sample() {
    try {
      ctx.activeMachine().ifPresent(this::sampleMachine);
      Path buildDir = ctx.buildDirectory();
      long disk = bytesUnder(buildDir) + Math.max(0, outputBytes() - outputBytesAtStart);
      Optional<Machine> m = ctx.activeMachine();
      if (m.isPresent()) {
        for (int i = 0; i < 4; i++) {
          Optional<Path> d;
          try {
            d = m.get().localDisk(i);
          } catch (RuntimeException noSuchDisk) { // a backend that does not check the index
            break;
          }
          if (d.isPresent() && (buildDir == null || !d.get().startsWith(buildDir))) {
            disk += size(d.get());
          }
        }
      }
      peakDisk.accumulateAndGet(disk, Math::max);
    } catch (RuntimeException e) {
      // a sample that fails (a file removed while walked) is just skipped
    }
  }

  private void sampleMachine(Machine m) {
    m.acceleratorInUse().ifPresent(a -> accelerator = a.name().toLowerCase(Locale.ROOT));
    m.cpuTime().ifPresent(t -> machineCpu.merge(m.name(), t,
        (a, b) -> a.compareTo(b) >= 0 ? a : b));
  }

  /** The accelerator the build machines really ran with, or {@code unknown} before one ran. */
  String accelerator() {
    return accelerator;
  }

  BuildSummary summary(Instant started, Duration elapsed, Optional<Stage> failed,
      boolean succeeded, List<BuildSummary.Artifact> artifacts, Duration queueWait,
      Optional<Boolean> installCacheHit) {
    double machineSeconds = machineCpu.values().stream().mapToLong(Duration::toNanos).sum()
        / 1e9;
    double processSeconds = Math.max(0, processCpuNanos() - processCpuAtStart) / 1e9;
    var os = ctx.recipe.os();
    String host = ctx.recipe.machine().libvirtUri().getHost();
    return new BuildSummary(KilnVersion.get(), ctx.recipe.name(), os.id(), os.version(),
        host == null || host.isEmpty() ? "localhost" : host, accelerator, started, elapsed,
        succeeded, failed, ctx.times, artifacts, sum(downloads), sum(uploads), cacheHits.get(),
        cacheMisses.get(), installCacheHit, queueWait, machineSeconds + processSeconds,
        peakDisk.get());
  }

  private static long sum(Map<String, Long> m) {
    return m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  /**
   * This build's files in the output directory — its artifacts and their {@code .partial}
   * intermediates, all named after the recipe — listed, not walked: the directory may hold
   * many other files.
   */
  private long outputBytes() {
    Path dir = ctx.settings.outputDirectory();
    String prefix = ctx.recipe.name() + ".";
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix))
          .filter(Files::isRegularFile).mapToLong(BuildTally::size).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private static long bytesUnder(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(BuildTally::size).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    ScheduledExecutorService s = sampler;
    if (s != null) {
      s.shutdownNow();
    }
    sample();
  }
}
