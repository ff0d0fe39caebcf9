package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.kvm.Fixtures;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln build --otlp}: what real CLI builds send is decoded by Google's {@code protoc}
 * against the OpenTelemetry project's published {@code .proto} files, not by the library that
 * encoded it. The receiver is a loopback HTTP endpoint that keeps the request: no
 * OpenTelemetry collector is packaged for Debian 12, and its Prometheus (2.42) predates
 * Prometheus's OTLP receiver (2.47).
 */
@Tag("validator")
class OtlpExportTest {
  static final String REQUEST = "opentelemetry.proto.collector.metrics.v1"
      + ".ExportMetricsServiceRequest";
  static final String SERVICE = "opentelemetry/proto/collector/metrics/v1/metrics_service.proto";

  @TempDir
  Path dir;

  record Received(String path, String contentType, byte[] body) {}

  @Test
  void twoCliBuildsReachTheCollectorAsCumulativeOtlpThatProtocDecodes() throws Exception {
    List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/", ex -> {
      received.add(new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders()
          .getFirst("Content-Type"), ex.getRequestBody().readAllBytes()));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    collector.start();
    try (GoneSource gone = GoneSource.start()) {
      String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics";
      Path recipe = gone.recipe(dir, "gone.qcow2");
      for (int i = 1; i <= 2; i++) {
        CliTest.Run r = CliTest.kiln("build", recipe.toString(), "--quiet", "--out",
            dir.resolve("out").toString(), "--work-root", dir.resolve("work").toString(),
            "--build-id", "gone-" + i, "--otlp", endpoint);
        assertThat(r.exit()).as(r.err()).isEqualTo(4);
        assertThat(r.err()).doesNotContain("warning");
      }
    } finally {
      collector.stop(0);
    }
    assertThat(received).hasSize(2).allSatisfy(r -> {
      assertThat(r.path()).isEqualTo("/v1/metrics");
      assertThat(r.contentType()).isEqualTo("application/x-protobuf");
    });
    String first = decode(received.get(0).body());
    String second = decode(received.get(1).body());
    assertThat(second).contains("key: \"service.name\"", "string_value: \"kiln\"",
        "key: \"service.instance.id\"", "string_value: \"" + BuildMonitoring.instance() + ":"
            + dir.resolve("work/history.db") + "\"");
    // the build timer: a cumulative histogram whose count goes 1, 2 across the two processes
    assertThat(histogramCount(first, "kiln.build")).isEqualTo(1);
    assertThat(histogramCount(second, "kiln.build")).isEqualTo(2);
    assertThat(second).contains("AGGREGATION_TEMPORALITY_CUMULATIVE")
        .doesNotContain("AGGREGATION_TEMPORALITY_DELTA");
    String build = metric(second, "kiln.build");
    assertThat(build).contains("key: \"result\"", "string_value: \"failure\"",
        "key: \"os\"", "string_value: \"debian\"");
  }

  @Test
  void aCollectorThatIsNotThereIsAWarningAndTheBuildsExitCodeStays() throws Exception {
    try (GoneSource gone = GoneSource.start()) {
      CliTest.Run r = CliTest.kiln("build", gone.recipe(dir, "x.qcow2").toString(), "--quiet",
          "--work-root", dir.resolve("work").toString(), "--out", dir.resolve("out")
              .toString(), "--otlp", "http://127.0.0.1:1/v1/metrics", "--no-history");
      assertThat(r.exit()).isEqualTo(4);
      assertThat(r.err()).endsWith("kiln build: warning: could not send the metrics to "
          + "http://127.0.0.1:1/v1/metrics: connection refused (is an OTLP collector "
          + "listening there?)\n").doesNotContain("Exception").doesNotContain("null");
    }
  }

  /** The request as {@code protoc --decode} prints it, from the published schema. */
  private String decode(byte[] body) throws Exception {
    Path protos = dir.resolve("protos");
    for (String p : List.of(SERVICE, "opentelemetry/proto/metrics/v1/metrics.proto",
        "opentelemetry/proto/common/v1/common.proto",
        "opentelemetry/proto/resource/v1/resource.proto")) {
      Path target = protos.resolve(p);
      if (Files.notExists(target)) {
        Files.createDirectories(target.getParent());
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(p)) {
          assertThat(in).as(p + " in the opentelemetry-proto jar").isNotNull();
          Files.copy(in, target);
        }
      }
    }
    Path request = Files.write(Files.createTempFile(dir, "request", ".pb"), body);
    Fixtures.Result r = Fixtures.run(List.of("bash", "-c", "protoc --decode=" + REQUEST
        + " -I " + protos + " " + SERVICE + " < " + request), 60);
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  /** The text of the metric named {@code name}, up to the next metric. */
  private static String metric(String decoded, String name) {
    int at = decoded.indexOf("name: \"" + name + "\"");
    assertThat(at).as(name + " in\n" + decoded).isNotNegative();
    int next = decoded.indexOf("metrics {", at);
    return decoded.substring(at, next < 0 ? decoded.length() : next);
  }

  /** The summed data-point counts of the histogram {@code name}. */
  private static long histogramCount(String decoded, String name) {
    String m = metric(decoded, name);
    assertThat(m).contains("histogram {");
    return java.util.regex.Pattern.compile("(?m)^\\s*count: (\\d+)$").matcher(m).results()
        .mapToLong(x -> Long.parseLong(x.group(1))).sum();
  }
}
