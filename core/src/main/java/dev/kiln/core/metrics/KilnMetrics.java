package dev.kiln.core.metrics;

import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kiln's builds as Micrometer meters, recorded from each build's {@link BuildSummary} (the
 * {@link KilnEvent.BuildFinished} event), so a registry an embedder already exports — to
 * Prometheus, OTLP, JMX — gets them with no other wiring. Names (Prometheus form):
 *
 * <ul>
 *   <li>{@code kiln_build_seconds} — timer with service-level buckets (5 min … 3 h): builds by
 *       {@code os, os_version, result, host, accelerator}; both {@code result} series exist
 *       once an OS has built, so a first failure is an increase from 0
 *   <li>{@code kiln_build_failures_total} — by {@code os, os_version, stage}
 *   <li>{@code kiln_stage_seconds} — timer by {@code os, os_version, stage, result, host,
 *       accelerator}
 *   <li>{@code kiln_transfer_bytes_total} — {@code direction} = downloaded, uploaded, written
 *   <li>{@code kiln_cache_requests_total} — {@code cache} = download, installed-disk;
 *       {@code result} = hit, miss
 *   <li>{@code kiln_artifact_size_bytes} (summary), {@code kiln_artifact_last_size_bytes}
 *       (gauge: the newest build's), {@code kiln_artifact_compression_ratio} — by {@code os,
 *       os_version, format, compression}
 *   <li>{@code kiln_matrix_queue_wait_seconds} — timer by {@code host}
 *   <li>{@code kiln_build_cpu_seconds_total}, {@code kiln_build_disk_peak_bytes} — the cost
 *       basis, by {@code os, os_version, host}
 *   <li>{@code kiln_last_success_timestamp_seconds} — gauge by {@code os, os_version}
 * </ul>
 *
 * <pre>{@code
 * Kiln kiln = Kiln.builder().discover().meterRegistry(registry).build();
 * }</pre>
 */
public final class KilnMetrics {
  /** Build-time buckets: the success criterion (30 min) and the steps a team reads around it. */
  static final Duration[] BUILD_BUCKETS = {Duration.ofMinutes(5), Duration.ofMinutes(10),
      Duration.ofMinutes(15), Duration.ofMinutes(20), Duration.ofMinutes(30),
      Duration.ofMinutes(45), Duration.ofMinutes(60), Duration.ofMinutes(90),
      Duration.ofMinutes(120), Duration.ofMinutes(180)};

  private final MeterRegistry registry;
  private final Map<Tags, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
  private final Map<Tags, AtomicLong> lastArtifactSize = new ConcurrentHashMap<>();

  private KilnMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry);
  }

  /** Meters in {@code registry}; one instance per registry. */
  public static KilnMetrics on(MeterRegistry registry) {
    return new KilnMetrics(registry);
  }

  /** An event handler: records every {@link KilnEvent.BuildFinished}, ignores the rest. */
  public void accept(KilnEvent event) {
    if (event instanceof KilnEvent.BuildFinished f) {
      record(f.summary());
    }
  }

  /** Records one finished build (builds replayed from the history come through here too). */
  public void record(BuildSummary s) {
    Tags os = Tags.of("os", s.os(), "os_version", s.osVersion());
    Tags where = os.and("host", s.host(), "accelerator", s.accelerator());
    for (String result : new String[] {"success", "failure"}) {
      Timer t = Timer.builder("kiln.build").description("Kiln builds: count and wall-clock time")
          .tags(where.and("result", result)).serviceLevelObjectives(BUILD_BUCKETS)
          .register(registry);
      if (result.equals(s.result())) {
        t.record(s.elapsed());
      }
    }
    s.failedStage().ifPresent(stage -> Counter.builder("kiln.build.failures")
        .description("Failed Kiln builds by the stage that failed")
        .tags(os.and("stage", name(stage))).register(registry).increment());
    s.stageTimes().forEach((stage, took) -> Timer.builder("kiln.stage")
        .description("Time per build stage").tags(where.and("stage", name(stage), "result",
            s.failedStage().filter(stage::equals).isPresent() ? "failure" : "success"))
        .register(registry).record(took));
    transfer(os, "downloaded", s.bytesDownloaded());
    transfer(os, "uploaded", s.bytesUploaded());
    transfer(os, "written", s.artifacts().stream().mapToLong(BuildSummary.Artifact::bytes)
        .sum());
    cache("download", "hit", s.downloadCacheHits());
    cache("download", "miss", s.downloadCacheMisses());
    s.installCacheHit().ifPresent(hit -> cache("installed-disk", hit ? "hit" : "miss", 1));
    for (BuildSummary.Artifact a : s.artifacts()) {
      Tags at = os.and("format", a.format(), "compression", a.compression());
      DistributionSummary.builder("kiln.artifact.size").baseUnit("bytes")
          .description("Artifact sizes").tags(at).register(registry).record(a.bytes());
      if (a.compressionRatio() > 0) {
        DistributionSummary.builder("kiln.artifact.compression.ratio")
            .description("Disk size over artifact size").tags(at).register(registry)
            .record(a.compressionRatio());
      }
      lastArtifactSize.computeIfAbsent(at, k -> {
        AtomicLong v = new AtomicLong();
        Gauge.builder("kiln.artifact.last.size", v, AtomicLong::get).baseUnit("bytes")
            .description("The newest build's artifact size").tags(k).register(registry);
        return v;
      }).set(a.bytes());
    }
    if (s.queueWait().compareTo(Duration.ZERO) > 0) {
      Timer.builder("kiln.matrix.queue.wait").description("Time a matrix entry waited for "
          + "a host").tags("host", s.host()).register(registry).record(s.queueWait());
    }
    Tags cost = os.and("host", s.host());
    Counter.builder("kiln.build.cpu").baseUnit("seconds").description("CPU time of builds "
        + "(machines and Kiln)").tags(cost).register(registry).increment(s.cpuSeconds());
    DistributionSummary.builder("kiln.build.disk.peak").baseUnit("bytes")
        .description("Most disk a build's files took at once").tags(cost).register(registry)
        .record(s.peakDiskBytes());
    if (s.succeeded()) {
      long at = s.started().plus(s.elapsed()).getEpochSecond();
      lastSuccess.computeIfAbsent(os, k -> {
        AtomicLong v = new AtomicLong();
        Gauge.builder("kiln.last.success.timestamp", v, AtomicLong::get).baseUnit("seconds")
            .description("When an OS last built successfully (Unix time)").tags(k)
            .register(registry);
        return v;
      }).accumulateAndGet(at, Math::max);
    }
  }

  private void transfer(Tags os, String direction, long bytes) {
    Counter.builder("kiln.transfer").baseUnit("bytes").description("Bytes Kiln moved")
        .tags(os.and("direction", direction)).register(registry).increment(bytes);
  }

  private void cache(String cache, String result, int n) {
    Counter.builder("kiln.cache.requests").description("Cache lookups")
        .tags("cache", cache, "result", result).register(registry).increment(n);
  }

  private static String name(Stage stage) {
    return stage.name().toLowerCase(Locale.ROOT);
  }
}
