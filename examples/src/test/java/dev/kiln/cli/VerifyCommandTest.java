package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.internal.pipeline.PipelineFixture;
import dev.kiln.core.provenance.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln verify} on a signed build's artifacts (the build from the pipeline's fakes; its
 * signature is checked by OpenSSL in {@code ProvenanceTest}), and {@code --sign-key} refusing a
 * key that cannot sign before any work.
 */
@Tag("validator")
class VerifyCommandTest {
  @TempDir
  Path tmp;

  static String sh(String command) throws Exception {
    return dev.kiln.core.testing.Shell.run(command);
  }

  @Test
  void verifiesEveryArtifactAndRefusesAFlippedByte() throws Exception {
    sh("cd " + tmp + " && openssl genpkey -algorithm ed25519 -out k.pem && openssl pkey -in "
        + "k.pem -pubout -out k.pub");
    PipelineFixture f = new PipelineFixture(tmp.resolve("b"));
    f.signingKey = Optional.of(SigningKeys.privateKey(tmp.resolve("k.pem")));
    f.run(f.cloudImageRecipe().build());
    String prov = f.out.resolve("provenance.intoto.jsonl").toString();
    CliTest.Run ok = CliTest.kiln("verify", f.out.resolve("fake.qcow2").toString(),
        f.out.resolve("fake.vhd").toString(), "--provenance", prov, "--public-key",
        tmp.resolve("k.pub").toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("fake.qcow2: OK (signed by ", "fake.vhd: OK");

    byte[] b = Files.readAllBytes(f.out.resolve("fake.vhd"));
    b[100] ^= (byte) 0x80;
    Files.write(f.out.resolve("fake.vhd"), b);
    CliTest.Run bad = CliTest.kiln("verify", f.out.resolve("fake.qcow2").toString(),
        f.out.resolve("fake.vhd").toString(), "--provenance", prov, "--public-key",
        tmp.resolve("k.pub").toString());
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out()).contains("fake.qcow2: OK").doesNotContain("fake.vhd: OK");
    assertThat(bad.err()).startsWith("kiln verify: fake.vhd: SHA-256 ")
        .doesNotContain("Exception");
    assertThat(CliTest.kiln("verify", f.out.resolve("fake.vhd").toString(), "--provenance",
        prov).exit()).isEqualTo(2);
  }

  @Test
  void aSigningKeyThatIsNotOneStopsTheBuildBeforeItStarts() throws Exception {
    Path notAKey = Files.writeString(tmp.resolve("k.pem"), "hello\n");
    CliTest.Run r = CliTest.kiln("build", "debian-12", "--sign-key", notAKey.toString(),
        "--work-root", tmp.resolve("w").toString(), "--out", tmp.resolve("o").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("kiln build: " + notAKey + " holds no PRIVATE KEY "
        + "block (PEM, as openssl writes)");
    assertThat(tmp.resolve("w/builds")).doesNotExist();
  }
}
