package dev.kiln.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Debian's real Prometheus and Pushgateway for a test, on 127.0.0.1 ports of their own:
 * Prometheus scrapes the Pushgateway every second (honouring the pushed job and instance
 * labels, as a production scrape of a Pushgateway must) and loads {@code rules}. Both
 * processes and their directory go in {@link #close}, or in a shutdown hook if the test dies.
 */
final class PrometheusServers implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final Thread reaper = new Thread(this::stop, "kiln-prometheus-reaper");
  final URI pushgateway;
  final URI prometheus;

  private PrometheusServers(Path dir, int pushPort, int promPort) {
    this.dir = dir;
    this.pushgateway = URI.create("http://127.0.0.1:" + pushPort);
    this.prometheus = URI.create("http://127.0.0.1:" + promPort);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Started on free ports; a port another process takes between the choice and the bind makes
   * that server exit, and the servers are started again on new ports (a test must never talk
   * to someone else's server that happens to answer on the port).
   */
  static PrometheusServers start(Path rules) throws Exception {
    for (int attempt = 1; ; attempt++) {
      PrometheusServers s = startOnce(rules);
      Thread.sleep(500);
      if (s.processes.stream().allMatch(Process::isAlive)) {
        return s;
      }
      String logs = s.logs();
      s.close();
      if (attempt == 3) {
        throw new IOException("Prometheus or the Pushgateway exited right after starting: "
            + logs);
      }
    }
  }

  private static PrometheusServers startOnce(Path rules) throws Exception {
    Path dir = Files.createTempDirectory("kiln-prometheus-");
    PrometheusServers s = new PrometheusServers(dir, freePort(), freePort());
    try {
      Files.copy(rules, dir.resolve("rules.yml"));
      Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
          "global: {scrape_interval: 1s, evaluation_interval: 1s}",
          "rule_files: [rules.yml]",
          "scrape_configs:",
          "  - job_name: pushgateway",
          "    honor_labels: true",
          "    static_configs: [{targets: ['127.0.0.1:" + s.pushgateway.getPort() + "']}]",
          ""));
      // Debian's build persists to /var/lib/prometheus/pushgateway.data unless told otherwise:
      // every run would see the groups of the runs before it
      s.launch(List.of("prometheus-pushgateway", "--web.listen-address=127.0.0.1:"
          + s.pushgateway.getPort(), "--persistence.file=" + dir.resolve("pushgateway.data")),
          "pushgateway.log");
      // Debian's prometheus keeps its data where --storage.tsdb.path says: the test's directory
      s.launch(List.of("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:"
          + s.prometheus.getPort()), "prometheus.log");
      s.awaitReady(s.pushgateway.resolve("/-/ready"));
      s.awaitReady(s.prometheus.resolve("/-/ready"));
      return s;
    } catch (Exception e) {
      s.close();
      throw e;
    }
  }

  private void launch(List<String> command, String log) throws IOException {
    processes.add(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve(log).toFile()).start());
  }

  private void awaitReady(URI ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers
            .discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new IOException(ready + " not ready in 120 s: " + logs());
  }

  /** A Prometheus HTTP API query, retried until {@code until} holds for its result array. */
  JsonNode query(String promql, Predicate<JsonNode> until) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    JsonNode result = null;
    while (System.nanoTime() < deadline) {
      result = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
          .path("data").path("result");
      if (until.test(result)) {
        return result;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(promql + " never matched; last result " + result + "; " + logs());
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(prometheus.resolve(path))
        .build(), HttpResponse.BodyHandlers.ofString());
    return new ObjectMapper().readTree(r.body());
  }

  String logs() throws IOException {
    StringBuilder b = new StringBuilder();
    for (String log : List.of("pushgateway.log", "prometheus.log")) {
      Path f = dir.resolve(log);
      if (Files.exists(f)) {
        List<String> lines = Files.readAllLines(f);
        b.append(log).append(": ").append(String.join("\n", lines.subList(Math.max(0,
            lines.size() - 15), lines.size()))).append('\n');
      }
    }
    return b.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void stop() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // gone already
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException ignored) {
      // shutting down: the hook runs anyway
    }
  }
}
