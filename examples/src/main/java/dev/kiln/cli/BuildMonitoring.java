package dev.kiln.cli;

import dev.kiln.api.KilnException;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.history.BuildHistory;
import dev.kiln.core.metrics.KilnMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * After the CLI's builds: records each build's summary in the history, then writes and pushes
 * the metrics. A CLI process lives for one build, so its counters would restart at one every
 * time and a Pushgateway group (replaced by each push) would never count up; instead the
 * registry is filled by replaying the whole history, which makes every counter cumulative
 * across runs. Without a history the metrics cover this run's builds only.
 */
final class BuildMonitoring {
  /** The Prometheus text format's media type, as the Pushgateway expects it. */
  static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final MonitoringOptions options;
  private final Path workRoot;
  private final List<KilnEvent.BuildFinished> finished = new ArrayList<>();

  BuildMonitoring(MonitoringOptions options, Path workRoot) {
    this.options = options;
    this.workRoot = workRoot;
  }

  /** The handler that collects every build's summary as it ends. */
  EventHandlers handlers() {
    return EventHandlers.builder().add(KilnEvent.BuildFinished.class, e -> {
      synchronized (finished) {
        finished.add(e);
      }
    }).build();
  }

  /**
   * Records and exports; problems become warnings on {@code err} (the builds are done, and
   * their exit code stays theirs). Returns whether everything asked for was done.
   */
  boolean afterBuilds(PrintWriter err) {
    List<KilnEvent.BuildFinished> builds;
    synchronized (finished) {
      builds = List.copyOf(finished);
    }
    boolean ok = true;
    List<BuildSummary> replay = new ArrayList<>(builds.stream()
        .map(KilnEvent.BuildFinished::summary).toList());
    if (!options.noHistory) {
      try (BuildHistory history = BuildHistory.open(options.historyUrl(workRoot))) {
        for (KilnEvent.BuildFinished b : builds) {
          history.record(b.buildId(), b.summary());
        }
        if (wantsMetrics()) {
          replay = history.builds(Optional.empty(), Instant.EPOCH).stream()
              .map(BuildHistory.Entry::summary).toList();
        }
      } catch (KilnException e) {
        err.println("kiln build: warning: " + e.getMessage());
        ok = false;
      }
    }
    if (!wantsMetrics()) {
      return ok;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KilnMetrics metrics = KilnMetrics.on(registry);
    replay.forEach(metrics::record);
    String text = registry.scrape();
    if (options.metricsFile != null) {
      try {
        writeAtomically(options.metricsFile, text);
      } catch (IOException e) {
        err.println("kiln build: warning: could not write the metrics to "
            + options.metricsFile + ": " + IoErrors.sentence(e));
        ok = false;
      }
    }
    if (options.pushgateway != null) {
      ok &= deliver("push the metrics to", options.pushgateway, "a Pushgateway",
          () -> push(options.pushgateway, group(), text), err);
    }
    if (options.otlp != null) {
      byte[] request = OtlpExport.encode(replay, group());
      ok &= deliver("send the metrics to", options.otlp, "an OTLP collector",
          () -> OtlpExport.send(options.otlp, request), err);
    }
    registry.close();
    return ok;
  }

  private boolean wantsMetrics() {
    return options.metricsFile != null || options.pushgateway != null || options.otlp != null;
  }

  /** One HTTP delivery of the metrics. */
  interface Delivery {
    void run() throws IOException, InterruptedException;
  }

  /** Runs {@code delivery}; a failure is one warning sentence naming {@code target}. */
  static boolean deliver(String verb, URI target, String server, Delivery delivery,
      PrintWriter err) {
    String what = "kiln build: warning: could not " + verb + " " + target + ": ";
    try {
      delivery.run();
      return true;
    } catch (java.net.ConnectException e) {
      err.println(what + "connection refused (is " + server + " listening there?)");
    } catch (java.net.http.HttpTimeoutException e) {
      err.println(what + "no answer in time");
    } catch (IOException e) {
      err.println(what + IoErrors.sentence(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** The textfile collector reads whatever is there: never a half-written file. */
  static void writeAtomically(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".partial");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      tmp.toFile().setReadable(true, false); // node_exporter runs as its own user
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * PUT replaces the group's metrics: each push carries the whole (replayed) state, so a
   * series that is no longer produced does not linger. The protocol is one HTTP request of
   * the text format; the Prometheus client's own pushgateway module is not on Maven Central
   * at the registry's version, and a request does not need it.
   */
  static void push(URI gateway, String instance, String text)
      throws IOException, InterruptedException {
    String base = gateway.toString().replaceAll("/+$", "");
    // the Pushgateway's base64 form: an instance may hold '/' (a file path), which a plain
    // path segment cannot carry
    URI uri = URI.create(base + "/metrics/job/kiln/instance@base64/" + java.util.Base64
        .getUrlEncoder().withoutPadding().encodeToString(instance.getBytes(
            StandardCharsets.UTF_8)));
    send(uri, "PUT", TEXT_FORMAT, HttpRequest.BodyPublishers.ofString(text));
  }

  /**
   * One request of metrics to {@code uri}; a status other than 2xx is an IOException naming it
   * and the first line of the server's answer.
   */
  static void send(URI uri, String method, String contentType, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
        .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      String answer = r.body().lines().findFirst().orElse("").strip();
      throw new IOException("HTTP " + r.statusCode() + " from " + uri
          + (answer.isEmpty() ? "" : ": " + answer));
    }
  }

  /**
   * The Pushgateway's {@code instance}: what the pushed metrics are a replay of. With a shared
   * (PostgreSQL) history every builder pushes the same numbers, so they share one group — the
   * database — and are not counted once per builder; a SQLite history is this machine's file;
   * without a history, this machine.
   */
  String group() {
    if (options.noHistory) {
      return instance();
    }
    String url = options.historyUrl(workRoot);
    if (url.startsWith("jdbc:sqlite:")) {
      return instance() + ":" + url.substring("jdbc:sqlite:".length());
    }
    // the database without user, password or other parameters
    return url.replaceFirst("^jdbc:", "").replaceFirst("//[^@/]*@", "//")
        .replaceFirst("\\?.*$", "");
  }

  /** This machine's name. */
  static String instance() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
