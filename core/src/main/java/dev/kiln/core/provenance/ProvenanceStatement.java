package dev.kiln.core.provenance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a build makes provenance of: the in-toto Statement v1 with an SLSA provenance v1
 * predicate. Subjects are the artifacts with their SHA-256; the build definition names the
 * recipe (and its file's digest), the source image or ISO with its digest and the answer
 * files' digests; the run details name Kiln, the build id, the host and the times.
 */
public final class ProvenanceStatement {
  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String SLSA_PROVENANCE = "https://slsa.dev/provenance/v1";
  public static final String BUILD_TYPE = "https://kiln.dev/template-build/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> subjects = new LinkedHashMap<>();
  private final Map<String, String> answerFiles = new LinkedHashMap<>();
  private String recipeName = "";
  private Optional<String> recipeFile = Optional.empty();
  private Optional<String> recipeSha256 = Optional.empty();
  private String os = "";
  private Optional<String> sourceUri = Optional.empty();
  private Optional<String> sourceDigest = Optional.empty();
  private String kilnVersion = "";
  private String buildId = "";
  private String host = "";
  private String started = "";
  private String finished = "";

  /** An artifact: its file name and SHA-256 (hex). */
  public ProvenanceStatement subject(String fileName, String sha256) {
    subjects.put(Objects.requireNonNull(fileName), Objects.requireNonNull(sha256));
    return this;
  }

  public ProvenanceStatement recipe(String name, Optional<String> file,
      Optional<String> sha256) {
    this.recipeName = name;
    this.recipeFile = file;
    this.recipeSha256 = sha256;
    return this;
  }

  public ProvenanceStatement os(String os) {
    this.os = os;
    return this;
  }

  /** The source's URI and digest as {@code ALGORITHM:hex} (e.g. {@code SHA256:ab…}). */
  public ProvenanceStatement source(Optional<String> uri, Optional<String> digest) {
    this.sourceUri = uri;
    this.sourceDigest = digest;
    return this;
  }

  public ProvenanceStatement answerFile(String name, String sha256) {
    answerFiles.put(name, sha256);
    return this;
  }

  public ProvenanceStatement run(String kilnVersion, String buildId, String host,
      String started, String finished) {
    this.kilnVersion = kilnVersion;
    this.buildId = buildId;
    this.host = host;
    this.started = started;
    this.finished = finished;
    return this;
  }

  /** The statement's JSON bytes (UTF-8), what the envelope's payload carries. */
  public byte[] toJson() {
    ObjectNode st = JSON.createObjectNode();
    st.put("_type", STATEMENT_TYPE);
    ArrayNode subject = st.putArray("subject");
    subjects.forEach((name, sha) -> subject.addObject().put("name", name).putObject("digest")
        .put("sha256", sha));
    st.put("predicateType", SLSA_PROVENANCE);
    ObjectNode predicate = st.putObject("predicate");
    ObjectNode def = predicate.putObject("buildDefinition");
    def.put("buildType", BUILD_TYPE);
    ObjectNode ext = def.putObject("externalParameters");
    ObjectNode recipe = ext.putObject("recipe").put("name", recipeName);
    recipeFile.ifPresent(f -> recipe.put("file", f));
    recipeSha256.ifPresent(d -> recipe.putObject("digest").put("sha256", d));
    ext.put("os", os);
    def.putObject("internalParameters").put("kilnVersion", kilnVersion);
    ArrayNode deps = def.putArray("resolvedDependencies");
    if (sourceUri.isPresent() || sourceDigest.isPresent()) {
      ObjectNode src = deps.addObject().put("name", "source");
      sourceUri.ifPresent(u -> src.put("uri", u));
      sourceDigest.ifPresent(d -> {
        int colon = d.indexOf(':');
        src.putObject("digest").put(colon > 0 ? d.substring(0, colon).toLowerCase(Locale.ROOT)
            .replace("-", "") : "sha256", colon > 0 ? d.substring(colon + 1) : d);
      });
    }
    answerFiles.forEach((name, sha) -> deps.addObject().put("name", "answer file " + name)
        .putObject("digest").put("sha256", sha));
    ObjectNode run = predicate.putObject("runDetails");
    run.putObject("builder").put("id", "https://kiln.dev/kiln@" + kilnVersion)
        .putObject("version").put("kiln", kilnVersion);
    run.putObject("metadata").put("invocationId", buildId).put("startedOn", started)
        .put("finishedOn", finished);
    run.putArray("byproducts").addObject().put("name", "build host").put("uri", host);
    return st.toString().getBytes(StandardCharsets.UTF_8);
  }
}
