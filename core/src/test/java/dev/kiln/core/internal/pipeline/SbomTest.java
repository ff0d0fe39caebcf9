package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's SBOM judged by Python's jsonschema against the official CycloneDX 1.6 schema
 * (the schema files the CycloneDX project publishes, shipped in its Java library's jar), and
 * its subjects' hashes by {@code sha256sum}. The VM test compares the package count with the
 * template's own dpkg database, read from outside.
 */
@Tag("validator")
class SbomTest {
  @TempDir
  Path tmp;

  static String sh(String command) throws Exception {
    return dev.kiln.core.testing.Shell.run(command);
  }

  /** The official schemas, copied out of the CycloneDX jar for the validator. */
  static Path schemas(Path dir) throws Exception {
    Files.createDirectories(dir);
    for (String name : List.of("bom-1.6.schema.json", "spdx.schema.json",
        "jsf-0.82.schema.json")) {
      try (InputStream in = org.cyclonedx.model.Bom.class.getResourceAsStream("/" + name)) {
        Files.copy(in, dir.resolve(name));
      }
    }
    return dir;
  }

  static Path validator() {
    Path p = Path.of("").toAbsolutePath();
    while (!Files.exists(p.resolve("scripts/validate-cyclonedx.py"))) {
      p = p.getParent();
    }
    return p.resolve("scripts/validate-cyclonedx.py");
  }

  @Test
  void theSbomIsValidCycloneDxWithEveryPackageAndTheArtifactsAsItsSubject() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp.resolve("b"));
    f.run(f.cloudImageRecipe().build());
    Path sbom = f.out.resolve("sbom.cdx.json");
    assertThat(sh("/usr/bin/python3 " + validator() + " " + schemas(tmp.resolve("schemas"))
        + " " + sbom)).isEqualTo("valid\n");

    JsonNode bom = new ObjectMapper().readTree(sbom.toFile());
    assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
    JsonNode subject = bom.path("metadata").path("component");
    assertThat(subject.path("type").asText()).isEqualTo("operating-system");
    for (JsonNode file : subject.path("components")) {
      String sha = sh("sha256sum " + f.out.resolve(file.path("name").asText())).split(" ")[0];
      assertThat(file.path("hashes").findValuesAsText("content")).contains(sha);
    }
    assertThat(subject.path("components")).hasSize(2);
    // one component per line of the guest's package database (FakeGuest's two)
    assertThat(bom.path("components")).hasSize(2);
    JsonNode ssh = bom.path("components").get(1);
    assertThat(ssh.path("purl").asText()).isEqualTo(
        "pkg:deb/fakeos/openssh-server@1:9.2p1-2%2Bdeb12u3?arch=amd64&distro=fakeos-1");
    assertThat(ssh.path("properties").toString()).contains("kiln:package:source", "openssh");
    JsonNode manifest = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile());
    assertThat(manifest.path("sbom").path("components").asInt()).isEqualTo(2);
    assertThat(manifest.path("sbom").path("sha256").asText()).isEqualTo(sh("sha256sum "
        + sbom).split(" ")[0]);
  }

  @Test
  void theValidatorRefusesABomThatBreaksTheSchema() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"bomFormat\": \"CycloneDX\", "
        + "\"specVersion\": \"1.6\", \"components\": [{\"type\": \"package\", \"name\": \"x\"}]}");
    Process p = new ProcessBuilder("/usr/bin/python3", validator().toString(),
        schemas(tmp.resolve("s")).toString(), bad.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(out).contains("components/0/type");
  }

  @Test
  void rpmSourcePackagesAndLicencesAreRead() {
    List<PackageRecord> r = PackageRecord.parse(List.of(
        "rpm\tbash\t5.1.8-9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\t\tGPL-3.0-or-later",
        "rpm\tgpg-pubkey\t8483c65d-5ccc5b19\t(none)\t(none)\t\t(none)", "garbage"));
    assertThat(r).hasSize(2);
    assertThat(r.get(0)).isEqualTo(new PackageRecord("rpm", "bash", "5.1.8-9.el9", "x86_64",
        "bash", "5.1.8-9.el9", Optional.of("GPL-3.0-or-later")));
    assertThat(r.get(1).license()).isEmpty();
  }
}
