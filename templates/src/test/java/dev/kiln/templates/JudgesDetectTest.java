package dev.kiln.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The judges are not vacuous: each rejects a broken answer file of its language. */
@Tag("validator")
class JudgesDetectTest {
  @TempDir Path dir;

  @Test
  void cloudInitRejectsABadCloudConfig() throws Exception {
    Path f = dir.resolve("user-data");
    Files.writeString(f, "#cloud-config\nusers: 5\n");
    assertThat(Judges.cloudInitSchema(f).ok()).isFalse();
  }

  @Test
  void autoinstallSchemaRejectsUnknownKeysAndBadTypes() throws Exception {
    Path f = dir.resolve("user-data");
    Files.writeString(f, "#cloud-config\nautoinstall:\n  version: 1\n  shutdown: sometimes\n");
    assertThat(Judges.jsonSchema(dir, "subiquity/24.04/autoinstall-schema.json", f, "--draft",
        "7", "--pointer", "autoinstall").output()).contains("shutdown");
    Files.writeString(f, "#cloud-config\nautoinstall:\n  version: 1\n  bogus: 1\n");
    assertThat(Judges.jsonSchema(dir, "subiquity/22.04/autoinstall-schema.json", f, "--draft",
        "7", "--pointer", "autoinstall").ok()).isFalse();
  }

  @Test
  void agamaSchemaRejectsUnknownKeysThroughReferencedFiles() throws Exception {
    Path f = dir.resolve("autoinst.json");
    Files.writeString(f, "{\"storage\":{\"drives\":[{\"bogusKey\":1}]}}");
    Judges.Verdict v = Judges.jsonSchema(dir, "agama/sle-16.0/profile.schema.json", f,
        "--draft", "2019", "--base-id",
        "https://github.com/openSUSE/agama/blob/master/rust/agama-lib/share/");
    assertThat(v.ok()).as(v.output()).isFalse();
  }

  @Test
  void debconfRejectsAMalformedPreseed() throws Exception {
    Path f = dir.resolve("preseed.cfg");
    Files.writeString(f, "d-i passwd/make-user\n");
    assertThat(Judges.debconf(f).ok()).isFalse();
  }

  @Test
  void kickstartSyntaxReportsUnknownOptionsAndMissingPoweroff() {
    assertThat(KickstartSyntax.check("text\nuser --name=a --bogus\n%packages\n", "RHEL9"))
        .anyMatch(p -> p.contains("--bogus")).anyMatch(p -> p.contains("no %end"))
        .anyMatch(p -> p.contains("poweroff"));
    assertThat(KickstartSyntax.check("rhsm --organization=o --activation-key=k\npoweroff\n",
        "F42")).anyMatch(p -> p.contains("does not exist in F42"));
    assertThat(KickstartSyntax.split("sshkey --username=a \"x \\\"y\\\" \\\\ z\" 'q r'"))
        .containsExactly("sshkey", "--username=a", "x \"y\" \\ z", "q r");
  }

  @Test
  void shellcheckRejectsBrokenShell() throws Exception {
    assertThat(Judges.shellcheck(dir, "#!/bin/sh\nif [ x = y ]; then\n").ok()).isFalse();
  }
}
