package dev.kiln.core.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.Stage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link BuildSummary} as the JSON kept in the history's {@code summary} column: read and
 * write are mirror images, durations in milliseconds, stages in lower case.
 */
final class SummaryJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SummaryJson() {}

  static String write(BuildSummary s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("kilnVersion", s.kilnVersion());
    o.put("recipe", s.recipe());
    o.put("os", s.os());
    o.put("osVersion", s.osVersion());
    o.put("host", s.host());
    o.put("accelerator", s.accelerator());
    o.put("started", s.started().toString());
    o.put("elapsedMs", s.elapsed().toMillis());
    o.put("succeeded", s.succeeded());
    s.failedStage().ifPresent(st -> o.put("failedStage", stage(st)));
    ObjectNode times = o.putObject("stageMs");
    s.stageTimes().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> times.put(stage(e.getKey()), e.getValue().toMillis()));
    ArrayNode artifacts = o.putArray("artifacts");
    for (BuildSummary.Artifact a : s.artifacts()) {
      artifacts.addObject().put("format", a.format()).put("compression", a.compression())
          .put("file", a.file()).put("bytes", a.bytes()).put("virtualBytes", a.virtualBytes());
    }
    o.put("bytesDownloaded", s.bytesDownloaded());
    o.put("bytesUploaded", s.bytesUploaded());
    o.put("downloadCacheHits", s.downloadCacheHits());
    o.put("downloadCacheMisses", s.downloadCacheMisses());
    s.installCacheHit().ifPresent(h -> o.put("installCacheHit", h));
    o.put("queueWaitMs", s.queueWait().toMillis());
    o.put("cpuSeconds", s.cpuSeconds());
    o.put("peakDiskBytes", s.peakDiskBytes());
    return o.toString();
  }

  static BuildSummary read(String json) throws IOException {
    JsonNode o = JSON.readTree(json);
    Map<Stage, Duration> times = new EnumMap<>(Stage.class);
    o.path("stageMs").fields().forEachRemaining(e -> times.put(stage(e.getKey()),
        Duration.ofMillis(e.getValue().asLong())));
    List<BuildSummary.Artifact> artifacts = new ArrayList<>();
    for (JsonNode a : o.path("artifacts")) {
      artifacts.add(new BuildSummary.Artifact(a.path("format").asText(),
          a.path("compression").asText(), a.path("file").asText(), a.path("bytes").asLong(),
          a.path("virtualBytes").asLong()));
    }
    return new BuildSummary(o.path("kilnVersion").asText(), o.path("recipe").asText(),
        o.path("os").asText(), o.path("osVersion").asText(), o.path("host").asText(),
        o.path("accelerator").asText("unknown"), Instant.parse(o.path("started").asText()),
        Duration.ofMillis(o.path("elapsedMs").asLong()), o.path("succeeded").asBoolean(),
        o.hasNonNull("failedStage") ? Optional.of(stage(o.path("failedStage").asText()))
            : Optional.empty(), times, artifacts, o.path("bytesDownloaded").asLong(),
        o.path("bytesUploaded").asLong(), o.path("downloadCacheHits").asInt(),
        o.path("downloadCacheMisses").asInt(), o.hasNonNull("installCacheHit")
            ? Optional.of(o.path("installCacheHit").asBoolean()) : Optional.empty(),
        Duration.ofMillis(o.path("queueWaitMs").asLong()), o.path("cpuSeconds").asDouble(),
        o.path("peakDiskBytes").asLong());
  }

  private static String stage(Stage s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static Stage stage(String s) {
    return Stage.valueOf(s.toUpperCase(Locale.ROOT));
  }
}
