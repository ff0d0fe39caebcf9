package dev.kiln.core.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.KilnException;
import dev.kiln.core.internal.pipeline.PipelineFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's signed provenance judged by OpenSSL, which did not write it: the key made by
 * {@code openssl genpkey}, the signature verified by {@code openssl pkeyutl -verify} over a
 * pre-authentication encoding built here by Python from the DSSE spec, the key id by
 * {@code openssl pkey | sha256sum}, the subjects by {@code sha256sum}.
 */
@Tag("validator")
class ProvenanceTest {
  @TempDir
  Path tmp;

  static String sh(String command) throws Exception {
    return dev.kiln.core.testing.Shell.run(command);
  }

  Path key(String name) throws Exception {
    sh("cd " + tmp + " && openssl genpkey -algorithm ed25519 -out " + name + ".pem && openssl "
        + "pkey -in " + name + ".pem -pubout -out " + name + ".pub");
    return tmp.resolve(name + ".pem");
  }

  @Test
  void aSignedBuildsProvenanceVerifiesWithOpensslAndNamesEveryArtifact() throws Exception {
    Path pem = key("kiln");
    PipelineFixture f = new PipelineFixture(tmp.resolve("build"));
    Path recipeFile = Files.writeString(tmp.resolve("fake.yaml"), "name: fake\n");
    f.signingKey = Optional.of(SigningKeys.privateKey(pem));
    f.recipeFile = Optional.of(recipeFile);
    f.run(f.cloudImageRecipe().build());

    Path prov = f.out.resolve("provenance.intoto.jsonl");
    JsonNode env = new ObjectMapper().readTree(Files.readString(prov));
    byte[] payload = Base64.getDecoder().decode(env.path("payload").asText());
    Files.write(tmp.resolve("payload.json"), payload);
    Files.write(tmp.resolve("sig.bin"), Base64.getDecoder().decode(env.path("signatures").get(0)
        .path("sig").asText()));
    // the pre-authentication encoding, written from the DSSE spec by another language
    sh("cd " + tmp + " && /usr/bin/python3 -c \"import sys; t=b'" + Dsse.IN_TOTO + "'; "
        + "b=open('payload.json','rb').read(); open('pae.bin','wb').write(b'DSSEv1 %d %s %d %s'"
        + " % (len(t), t, len(b), b))\"");
    assertThat(sh("cd " + tmp + " && openssl pkeyutl -verify -pubin -inkey kiln.pub -rawin "
        + "-in pae.bin -sigfile sig.bin")).contains("Signature Verified Successfully");
    assertThat(env.path("signatures").get(0).path("keyid").asText()).isEqualTo(sh("cd " + tmp
        + " && openssl pkey -pubin -in kiln.pub -outform DER | sha256sum").split(" ")[0]);

    JsonNode st = new ObjectMapper().readTree(payload);
    assertThat(st.path("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
    assertThat(st.path("predicateType").asText()).isEqualTo("https://slsa.dev/provenance/v1");
    for (String artifact : List.of("fake.qcow2", "fake.vhd")) {
      String sha = sh("sha256sum " + f.out.resolve(artifact)).split(" ")[0];
      assertThat(st.path("subject").findValues("name")).extracting(JsonNode::asText)
          .contains(artifact);
      assertThat(st.path("subject").toString()).contains(sha);
    }
    // the SBOM is a product of the build: a subject too
    assertThat(st.path("subject").toString()).contains("sbom.cdx.json", sh("sha256sum "
        + f.out.resolve("sbom.cdx.json")).split(" ")[0]);
    JsonNode def = st.path("predicate").path("buildDefinition");
    assertThat(def.path("externalParameters").path("recipe").path("digest").path("sha256")
        .asText()).isEqualTo(sh("sha256sum " + recipeFile).split(" ")[0]);
    assertThat(def.path("resolvedDependencies").get(0).path("digest").path("sha256").asText())
        .isEqualTo(sh("sha256sum " + tmp.resolve("build/base.qcow2")).split(" ")[0]);
    JsonNode manifest = new ObjectMapper().readTree(f.out.resolve("manifest.json").toFile());
    assertThat(manifest.path("provenance").path("file").asText())
        .isEqualTo("provenance.intoto.jsonl");
    assertThat(Files.readString(f.out.resolve("manifest.json"))).doesNotContain(
        Files.readString(pem).lines().skip(1).findFirst().orElseThrow());

    // the check: all verify; a flipped byte, another key, a changed payload do not
    var pub = SigningKeys.publicKey(tmp.resolve("kiln.pub"));
    List<Path> artifacts = List.of(f.out.resolve("fake.qcow2"), f.out.resolve("fake.vhd"));
    ProvenanceCheck.Result ok = ProvenanceCheck.check(prov, pub, artifacts);
    assertThat(ok.problems()).isEmpty();
    assertThat(ok.verified()).containsExactly("fake.qcow2", "fake.vhd");

    Path flipped = Files.copy(f.out.resolve("fake.vhd"), tmp.resolve("fake.vhd"));
    byte[] b = Files.readAllBytes(flipped);
    b[b.length / 2] ^= 1;
    Files.write(flipped, b);
    assertThat(ProvenanceCheck.check(prov, pub, List.of(flipped)).problems()).singleElement()
        .asString().startsWith("fake.vhd: SHA-256 ").contains("but the provenance says");

    key("other");
    assertThat(ProvenanceCheck.check(prov, SigningKeys.publicKey(tmp.resolve("other.pub")),
        artifacts).problems()).singleElement().asString().contains("not signed by this key");

    ((com.fasterxml.jackson.databind.node.ObjectNode) env).put("payload", Base64.getEncoder()
        .encodeToString(new String(payload, StandardCharsets.UTF_8).replace("fake.vhd",
            "evil.vhd").getBytes(StandardCharsets.UTF_8)));
    Path tampered = Files.writeString(tmp.resolve("tampered.jsonl"), env.toString());
    assertThat(ProvenanceCheck.check(tampered, pub, artifacts).problems()).singleElement()
        .asString().contains("signature does not verify");
  }

  @Test
  void keysThatAreNotEd25519AreOneSentence() throws Exception {
    sh("cd " + tmp + " && openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out "
        + "rsa.pem 2>/dev/null");
    assertThatThrownBy(() -> SigningKeys.privateKey(tmp.resolve("rsa.pem")))
        .isInstanceOf(KilnException.class).hasMessage(tmp.resolve("rsa.pem") + " is not an "
            + "Ed25519 private key (make one with: openssl genpkey -algorithm ed25519 -out "
            + "kiln-signing.pem)");
    assertThatThrownBy(() -> SigningKeys.privateKey(tmp.resolve("none.pem")))
        .hasMessage("cannot read " + tmp.resolve("none.pem") + ": no such file");
  }
}
