package dev.kiln.core.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.KilnException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a provenance file against artifacts: the envelope's signature with the public key,
 * that the payload is an in-toto Statement with an SLSA provenance predicate, and that every
 * artifact is a subject whose SHA-256 matches the file's bytes. Every problem is reported.
 */
public final class ProvenanceCheck {
  private ProvenanceCheck() {}

  /**
   * The outcome.
   *
   * @param verified the artifacts whose digest matched, by file name
   * @param problems one sentence each; empty when everything verified
   */
  public record Result(List<String> verified, List<String> problems) {
    public Result {
      verified = List.copyOf(verified);
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public static Result check(Path provenance, PublicKey key, List<Path> artifacts)
      throws KilnException {
    String envelope;
    try {
      envelope = Files.readString(provenance, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new KilnException("cannot read " + provenance + ": " + (e instanceof
          java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    List<String> verified = new ArrayList<>();
    byte[] payload;
    try {
      payload = Dsse.verify(envelope, key);
    } catch (KilnException e) {
      return new Result(List.of(), List.of(provenance + ": " + e.getMessage()));
    }
    JsonNode statement;
    try {
      statement = new ObjectMapper().readTree(payload);
    } catch (IOException e) {
      return new Result(List.of(), List.of(provenance + ": the signed payload is not JSON"));
    }
    if (!ProvenanceStatement.STATEMENT_TYPE.equals(statement.path("_type").asText())
        || !ProvenanceStatement.SLSA_PROVENANCE.equals(statement.path("predicateType")
            .asText())) {
      problems.add(provenance + ": the signed payload is not an in-toto statement with SLSA "
          + "provenance");
    }
    Map<String, String> subjects = new LinkedHashMap<>();
    for (JsonNode s : statement.path("subject")) {
      subjects.put(s.path("name").asText(), s.path("digest").path("sha256").asText());
    }
    for (Path artifact : artifacts) {
      String name = artifact.getFileName().toString();
      String expected = subjects.get(name);
      if (expected == null) {
        problems.add(name + ": not a subject of the provenance (it names " + String.join(", ",
            subjects.keySet()) + ")");
        continue;
      }
      String actual;
      try {
        actual = sha256(artifact);
      } catch (IOException e) {
        problems.add(name + ": cannot read: " + e.getMessage());
        continue;
      }
      if (actual.equals(expected)) {
        verified.add(name);
      } else {
        problems.add(name + ": SHA-256 " + actual + " but the provenance says " + expected);
      }
    }
    return new Result(verified, problems);
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return org.apache.commons.codec.digest.DigestUtils.sha256Hex(in);
    }
  }
}
