package dev.kiln.cli;

import dev.kiln.api.event.BuildSummary;
import dev.kiln.core.metrics.KilnMetrics;
import io.micrometer.core.instrument.Clock;
import io.micrometer.registry.otlp.AggregationTemporality;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The builds' metrics as one OTLP/HTTP export request (protobuf), for an OpenTelemetry
 * collector. Micrometer's OTLP registry does the encoding; the request is sent here, with the
 * JDK's client ({@link BuildMonitoring#send}), so that a refused or failed export becomes the
 * same one-sentence warning as a failed Pushgateway push (the registry's own sender only logs).
 */
final class OtlpExport {
  /** OTLP/HTTP's binary encoding, as the specification names it. */
  static final String PROTOBUF = "application/x-protobuf";

  private OtlpExport() {}

  /**
   * The export request for {@code builds}, cumulative (the CLI replays the history, so the
   * values are totals since the first recorded build), with {@code service.name=kiln} and
   * {@code service.instance.id} naming what the numbers are a replay of.
   */
  static byte[] encode(List<BuildSummary> builds, String instance) {
    AtomicReference<byte[]> request = new AtomicReference<>();
    OtlpConfig config = new OtlpConfig() {
      @Override
      public String get(String key) {
        return null; // every setting below; nothing from the environment
      }

      @Override
      public Map<String, String> resourceAttributes() {
        return Map.of("service.name", "kiln", "service.instance.id", instance);
      }

      @Override
      public AggregationTemporality aggregationTemporality() {
        return AggregationTemporality.CUMULATIVE;
      }

      @Override
      public Duration step() {
        return Duration.ofDays(1); // no timed publish: the one export happens on close
      }
    };
    OtlpMeterRegistry registry = OtlpMeterRegistry.builder(config).clock(Clock.SYSTEM)
        .metricsSender(r -> request.set(r.getMetricsData())).build();
    KilnMetrics metrics = KilnMetrics.on(registry);
    builds.forEach(metrics::record);
    registry.close();
    byte[] body = request.get();
    return body != null ? body : new byte[0];
  }

  /** POSTs {@code body} to {@code endpoint} (the collector's {@code …/v1/metrics}). */
  static void send(URI endpoint, byte[] body) throws IOException, InterruptedException {
    BuildMonitoring.send(endpoint, "POST", PROTOBUF, HttpRequest.BodyPublishers.ofByteArray(body));
  }
}
