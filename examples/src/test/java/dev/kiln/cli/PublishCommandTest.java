package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.cloudstack.standin.CloudStackStandIn;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln publish} and {@code kiln templates} against the in-process CloudStack stand-in
 * (see its Javadoc: not the real server, which cannot run here): URL registration from Kiln's
 * artifact server, upload, a failed smoke test that rolls back, listing and pruning.
 */
class PublishCommandTest {
  @TempDir Path dir;
  CloudStackStandIn standIn;
  Path secretFile;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    standIn = CloudStackStandIn.start();
    secretFile = dir.resolve("secret");
    Files.writeString(secretFile, CloudStackStandIn.SECRET_KEY + "\n");
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  Run kiln(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", standIn.endpoint().toString(), "--api-key",
        CloudStackStandIn.API_KEY, "--secret-key-file", secretFile.toString(),
        "--poll-interval", "0.02"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = KilnCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(all.toArray(String[]::new));
    assertThat(out.toString() + err).doesNotContain(CloudStackStandIn.SECRET_KEY);
    return new Run(exit, out.toString(), err.toString());
  }

  Path artifact(String name) throws Exception {
    if (name.endsWith(".iso")) { // not a template format: refused before any content check
      return Files.write(dir.resolve(name), new byte[2048]);
    }
    return dev.kiln.cloudstack.TestImages.image(dir, name);
  }

  @Test
  void publishByUrlFromKilnsServerIntoTwoZones() throws Exception {
    Run r = kiln("publish", artifact("debian-12.qcow2.bz2").toString(),
        artifact("debian-12.vhd.bz2").toString(), artifact("debian-12.ova").toString(),
        "--zone", "zone1", "--zone", "zone2", "--os-type", "Debian GNU/Linux 12 (64-bit)",
        "--serve-from", "http://127.0.0.1:0", "--family", "debian-12-x86_64",
        "--version", "20261125.1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("debian-12-x86_64-kvm-20261125.1", "KVM",
        "debian-12-x86_64-xenserver-20261125.1", "XenServer",
        "debian-12-x86_64-vmware-20261125.1", "VMware", "zone2");
    assertThat(standIn.templateNames()).hasSize(3);

    Run list = kiln("templates", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out().lines().filter(l -> l.contains("Download Complete")).count())
        .isEqualTo(6);

    Run json = kiln("templates", "list", "--output", "json");
    assertThat(json.exit()).as(json.err()).isZero();
    List<String> lines = json.out().lines().filter(l -> !l.isBlank()).toList();
    assertThat(JsonOutputTest.judge(lines, dir)).as(String.join("\n", lines))
        .allMatch("ok"::equals);
    assertThat(lines).hasSize(7).last().asString().contains("\"count\":6");

    // filters: one KVM row in zone2; every row ready, none failed; a bad state is one sentence
    Run kvm2 = kiln("templates", "list", "--hypervisor", "kvm", "--zone", "zone2");
    assertThat(kvm2.out().lines().skip(1).toList()).singleElement().asString()
        .contains("debian-12-x86_64-kvm-20261125.1", "zone2");
    assertThat(kiln("templates", "list", "--state", "ready").out().lines().count())
        .isEqualTo(7);
    assertThat(kiln("templates", "list", "--state", "failed").out().lines().count())
        .isEqualTo(1);
    Run badState = kiln("templates", "list", "--state", "broken");
    assertThat(badState.exit()).isEqualTo(KilnCli.EXIT_INVALID);
    assertThat(badState.err().strip()).isEqualTo("kiln templates list: --state must be ready, "
        + "pending or failed, not broken");

    // --all shows what Kiln did not publish too: a template registered by hand, untagged
    try (var client = dev.kiln.cloudstack.CloudStackClient.builder(
        new dev.kiln.cloudstack.CloudStackCredentials(standIn.endpoint(),
            CloudStackStandIn.API_KEY, dev.kiln.api.Secret.of(CloudStackStandIn.SECRET_KEY),
            java.time.Duration.ofSeconds(30), true)).build()) {
      client.getUploadParamsForTemplate(dev.kiln.cloudstack.TemplateRequest.builder(
          "by-hand-centos", "QCOW2", "KVM", standIn.zoneId("zone1"),
          client.osType("Debian GNU/Linux 12 (64-bit)").id()).build());
    }
    assertThat(kiln("templates", "list").out()).doesNotContain("by-hand-centos");
    Run all = kiln("templates", "list", "--all", "--state", "pending");
    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.out().lines().skip(1).toList()).singleElement().asString()
        .contains("by-hand-centos", "zone1");
  }

  /** --output json judged by Debian's python3-jsonschema; the family keeps a version's dots. */
  @Test
  void publishWritesJsonLinesAndTheTemplatesLast() throws Exception {
    Run r = kiln("publish", artifact("ubuntu-24.04-x86_64.qcow2").toString(), "--zone",
        "zone1", "--os-type", "Ubuntu 24.04 LTS", "--serve-from", "http://127.0.0.1:0",
        "--version", "7", "--output", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
    assertThat(JsonOutputTest.judge(lines, dir)).as(String.join("\n", lines))
        .allMatch("ok"::equals);
    var last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(
        lines.size() - 1));
    assertThat(last.path("event").asText()).isEqualTo("result");
    assertThat(last.path("templates").get(0).path("name").asText())
        .isEqualTo("ubuntu-24.04-x86_64-kvm-7");
    assertThat(standIn.templateNames()).containsExactly("ubuntu-24.04-x86_64-kvm-7");
    // a failure is a result line too
    Run bad = kiln("publish", artifact("x.iso").toString(), "--zone", "zone1", "--os-type",
        "x", "--upload", "--output", "json");
    assertThat(bad.exit()).isEqualTo(KilnCli.EXIT_INVALID);
    List<String> badLines = bad.out().lines().filter(l -> !l.isBlank()).toList();
    assertThat(JsonOutputTest.judge(badLines, dir)).containsExactly("ok");
    assertThat(badLines.get(0)).contains("\"exit\":1", "\"error\"");
  }

  @Test
  void publishByUploadThenPrune() throws Exception {
    for (String v : List.of("1", "2", "3")) {
      Run r = kiln("publish", artifact("v" + v + ".vhd.zip").toString(), "--zone", "zone1",
          "--os-type", "Debian GNU/Linux 12 (64-bit)", "--upload", "--family",
          "debian-12-x86_64", "--version", v);
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("debian-12-x86_64-hyperv-" + v, "Hyperv");
    }
    assertThat(standIn.count("getUploadParamsForTemplate")).isEqualTo(3);
    Run prune = kiln("templates", "prune", "--keep", "1");
    assertThat(prune.exit()).as(prune.err()).isZero();
    assertThat(prune.out()).contains("2 template(s) deleted");
    assertThat(standIn.templateNames()).containsExactly("debian-12-x86_64-hyperv-3");
  }

  @Test
  void aFailedSmokeTestRollsBackAndExitsNonZero() throws Exception {
    standIn.smokeDeployFails(true);
    Run r = kiln("publish", artifact("debian-12.qcow2").toString(), "--zone", "zone1",
        "--os-type", "Debian GNU/Linux 12 (64-bit)", "--serve-from", "http://127.0.0.1:0",
        "--smoke-offering", "Small Instance", "--version", "9");
    assertThat(r.exit()).isEqualTo(KilnCli.EXIT_INVALID);
    assertThat(r.err()).contains("smoke test", "rolled back", "Unable to create a deployment");
    assertThat(standIn.templateNames()).isEmpty();
  }

  @Test
  void modeIsRequiredAndFormatsAreKnown() throws Exception {
    Run none = kiln("publish", artifact("a.qcow2").toString(), "--os-type", "x");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--serve-from", "--upload");
    Run unknown = kiln("publish", artifact("a.iso").toString(), "--os-type", "x", "--upload");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("cannot tell the format of a.iso");
  }
}
