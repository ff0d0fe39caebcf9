package dev.kiln.cloudstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.api.Secret;
import dev.kiln.cloudstack.standin.CloudStackStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against the in-process stand-in (no real CloudStack can run here). */
class CloudStackClientTest {
  CloudStackStandIn standIn;
  CloudStackClient client;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    standIn = CloudStackStandIn.start();
    client = StandIns.client(standIn);
  }

  @AfterEach
  void stop() {
    standIn.close();
  }

  @Test
  void resolvesNamesToIdsThroughSignedPosts() throws Exception {
    assertThat(client.zone("zone2").id()).isEqualTo(standIn.zoneId("zone2"));
    assertThat(client.osType("debian gnu/linux 12 (64-bit)").description())
        .isEqualTo("Debian GNU/Linux 12 (64-bit)");
    assertThat(client.serviceOffering("Small Instance").name()).isEqualTo("Small Instance");
    assertThat(standIn.requests).allSatisfy(r -> assertThat(r).containsEntry(
        "signatureversion", "3").containsKey("expires"));
  }

  @Test
  void listsArePagedThrough() throws Exception {
    CloudStackClient small = CloudStackClient.builder(StandIns.credentials(standIn))
        .pageSize(1).build();
    assertThat(small.listOsTypes()).hasSize(3).doesNotHaveDuplicates();
    assertThat(standIn.requests.stream().filter(r -> "listOsTypes".equals(r.get("command")))
        .map(r -> r.get("page")).toList()).containsExactly("1", "2", "3");
  }

  @Test
  void unknownNamesListWhatExists() {
    assertThatThrownBy(() -> client.zone("zone9")).isInstanceOf(CloudStackException.class)
        .hasMessageContaining("no zone 'zone9'").hasMessageContaining("zone1, zone2");
    assertThatThrownBy(() -> client.osType("Debian 99")).hasMessageContaining(
        "Debian GNU/Linux 12 (64-bit)");
  }

  @Test
  void apiErrorsAreTypedWithTheServersCodes() {
    assertThatThrownBy(() -> client.registerTemplate(TemplateRequest.builder("t", "QCOW2", "KVM",
        standIn.zoneId("zone1"), "no-such-ostype").build(),
        java.net.URI.create("http://127.0.0.1:1/x.qcow2")))
        .isInstanceOfSatisfying(CloudStackException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(431);
          assertThat(e.errorCode()).hasValue(431);
          assertThat(e.csErrorCode()).hasValue(9999);
          assertThat(e.errorText()).contains("OS type");
          assertThat(e.isRetrySafe()).isFalse();
          assertThat(e.command()).isEqualTo("registerTemplate");
        });
  }

  @Test
  void urlExtensionMustMatchTheFormat() throws Exception {
    String os = client.osType("Debian GNU/Linux 12 (64-bit)").id();
    assertThatThrownBy(() -> client.registerTemplate(TemplateRequest.builder("t", "VHD",
        "XenServer", standIn.zoneId("zone1"), os).build(),
        java.net.URI.create("http://127.0.0.1:1/x.qcow2.bz2")))
        .isInstanceOf(CloudStackException.class).hasMessageContaining("invalid for the format");
  }

  @Test
  void readsAreRetriedOnServerErrorsAndLostAnswers() throws Exception {
    standIn.failNext("listZones", 530, 2);
    assertThat(client.listZones()).hasSize(2);
    assertThat(standIn.count("listZones")).isEqualTo(3);
    standIn.dropNext("listOsTypes", 1);
    assertThat(client.listOsTypes()).isNotEmpty();
    assertThat(standIn.count("listOsTypes")).isEqualTo(2);
  }

  /**
   * A management server restarting: nine reads in a row get no answer (five seconds or so
   * with this test's short back-off); the read succeeds when it answers again. A server that
   * stays away is reported when the patience runs out.
   */
  @Test
  void readsWaitThroughARestartAndGiveUpAfterThePatience() throws Exception {
    standIn.dropNext("listZones", 9);
    assertThat(client.zone("zone1").id()).isEqualTo(standIn.zoneId("zone1"));
    assertThat(standIn.count("listZones")).isGreaterThanOrEqualTo(10);
    CloudStackClient impatient = CloudStackClient.builder(StandIns.credentials(standIn))
        .pollInterval(Duration.ofMillis(20)).readPatience(Duration.ofSeconds(1)).build();
    standIn.dropNext("listZones", 1000);
    long start = System.nanoTime();
    assertThatThrownBy(() -> impatient.zone("zone1")).isInstanceOf(CloudStackException.class)
        .hasMessageContaining("no response");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    standIn.dropNext("listZones", 0);
  }

  @Test
  void writesAreNeverRetried() throws Exception {
    String os = client.osType("Debian GNU/Linux 12 (64-bit)").id();
    standIn.failNext("registerTemplate", 530, 1);
    assertThatThrownBy(() -> client.registerTemplate(TemplateRequest.builder("t", "QCOW2", "KVM",
        standIn.zoneId("zone1"), os).build(), java.net.URI.create("http://127.0.0.1:1/x.qcow2")))
        .isInstanceOfSatisfying(CloudStackException.class,
            e -> assertThat(e.errorCode()).hasValue(530));
    assertThat(standIn.count("registerTemplate")).isEqualTo(1);
    standIn.dropNext("registerTemplate", 1);
    assertThatThrownBy(() -> client.registerTemplate(TemplateRequest.builder("t", "QCOW2", "KVM",
        standIn.zoneId("zone1"), os).build(), java.net.URI.create("http://127.0.0.1:1/x.qcow2")))
        .isInstanceOfSatisfying(CloudStackException.class, e -> {
          assertThat(e.httpStatus()).isZero();
          assertThat(e.getMessage()).contains("no response");
        });
    assertThat(standIn.count("registerTemplate")).isEqualTo(2);
  }

  @Test
  void wrongKeysAndSkewedClocksAreRefusedWithAHint() throws Exception {
    CloudStackClient wrong = CloudStackClient.builder(new CloudStackCredentials(
        standIn.endpoint(), CloudStackStandIn.API_KEY, Secret.of("not-the-secret"),
        Duration.ofSeconds(10), true)).retries(0).build();
    assertThatThrownBy(wrong::listZones).isInstanceOfSatisfying(CloudStackException.class,
        e -> {
          assertThat(e.httpStatus()).isEqualTo(401);
          assertThat(e.getMessage()).contains("clock").doesNotContain("not-the-secret");
        });
    CloudStackClient late = CloudStackClient.builder(StandIns.credentials(standIn))
        .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20))).build();
    assertThatThrownBy(late::listZones).isInstanceOf(CloudStackException.class)
        .hasMessageContaining("401");
  }

  @Test
  void asyncJobsAreAwaitedAndTheirFailuresTyped() throws Exception {
    String template = registerReady();
    client.createTags("Template", java.util.List.of(template), Map.of("kiln-build", "b1"));
    assertThat(client.listTags("Template", "kiln-build", Optional.of("b1")))
        .singleElement().extracting(ResourceTag::resourceId).isEqualTo(template);
    assertThatThrownBy(() -> client.createTags("Template", java.util.List.of(template),
        Map.of("kiln-build", "b2"))).isInstanceOf(CloudStackException.class)
        .hasMessageContaining("already exists");
    standIn.smokeDeployFails(true);
    assertThatThrownBy(() -> client.deployVirtualMachine(template, standIn.zoneId("zone1"),
        client.serviceOffering("Small Instance").id(), "vm1"))
        .isInstanceOfSatisfying(CloudStackException.class, e -> {
          assertThat(e.errorCode()).hasValue(533);
          assertThat(e.errorText()).contains("deployment");
          // the failure is the async job's; HTTP answered 200
          assertThat(e.httpStatus()).isZero();
          assertThat(e.getMessage()).doesNotContain("HTTP").contains("errorcode 533");
        });
  }

  @Test
  void secretsStayOutOfStrings() {
    CloudStackCredentials c = StandIns.credentials(standIn);
    assertThat(c.toString()).doesNotContain(CloudStackStandIn.SECRET_KEY)
        .doesNotContain(CloudStackStandIn.API_KEY);
    assertThat(client.toString()).doesNotContain(CloudStackStandIn.SECRET_KEY);
    UploadParams u = new UploadParams("id", java.net.URI.create("https://ssvm/upload/abc"), "m",
        "e", "the-signature");
    assertThat(u.toString()).doesNotContain("the-signature").doesNotContain("/upload/abc");
  }

  @Test
  void credentialsComeFromCloudmonkeysConfig() throws Exception {
    Path config = dir.resolve("config");
    Files.writeString(config, "[core]\nprofile = prod\nasyncblock = true\n\n[localcloud]\n"
        + "url = http://localhost:8080/client/api\napikey = a\nsecretkey = b\n\n[prod]\n"
        + "url = https://cloud.example.com/client/api\napikey = AK\nsecretkey = SK\n"
        + "timeout = 600\nverifycert = false\n");
    CloudStackCredentials prod = CloudStackCredentials.fromCmkConfig(config, "");
    assertThat(prod.endpoint().toString()).isEqualTo("https://cloud.example.com/client/api");
    assertThat(prod.apiKey()).isEqualTo("AK");
    assertThat(prod.secretKey().reveal()).isEqualTo("SK");
    assertThat(prod.timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(prod.verifyTls()).isFalse();
    assertThat(CloudStackCredentials.fromCmkConfig(config, "localcloud").apiKey()).isEqualTo("a");
    assertThatThrownBy(() -> CloudStackCredentials.fromCmkConfig(config, "staging"))
        .hasMessageContaining("no profile [staging]").hasMessageContaining("localcloud, prod")
        .hasMessageNotContaining("SK");
  }

  /** cmk 6's own layout: timeout and verifycert in [core], a username/password profile. */
  @Test
  void cmk6CoreSettingsApplyAndAPasswordProfileIsNamed() throws Exception {
    Path config = dir.resolve("config6");
    Files.writeString(config, "[core]\nprompt = cmk\nasyncblock = true\ntimeout = 90\n"
        + "output = json\nverifycert = false\nprofile = keys\n\n[keys]\n"
        + "url = https://cloud.example.com/client/api\nusername =\npassword =\ndomain = /\n"
        + "apikey = AK\nsecretkey = SK\n\n[admin]\nurl = http://cloud.example.com:8080/client/api\n"
        + "username = admin\npassword = hunter2-secret\ndomain = /\napikey =\nsecretkey =\n");
    CloudStackCredentials keys = CloudStackCredentials.fromCmkConfig(config, "");
    assertThat(keys.timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(keys.verifyTls()).isFalse();
    assertThatThrownBy(() -> CloudStackCredentials.fromCmkConfig(config, "admin"))
        .hasMessageContaining("logs in with a username and password")
        .hasMessageContaining("set apikey and secretkey").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> CloudStackCredentials.fromCmkConfig(dir.resolve("absent"), ""))
        .hasMessageStartingWith("there is no cloudmonkey config " + dir.resolve("absent"))
        .hasMessageContaining("--url");
  }

  /** A template registered from a real local HTTP server and polled until ready. */
  private String registerReady() throws Exception {
    Path file = dir.resolve("t.qcow2");
    Files.write(file, new byte[4096]);
    try (ArtifactServer server = ArtifactServer.start(new java.net.InetSocketAddress(
        "127.0.0.1", 0), "", java.util.List.of(file))) {
      Template t = client.registerTemplate(TemplateRequest.builder("t", "QCOW2", "KVM",
          standIn.zoneId("zone1"), client.osType("Debian GNU/Linux 12 (64-bit)").id()).build(),
          server.urlOf(file));
      for (int i = 0; i < 100 && !client.templateRows(t.id()).get(0).ready(); i++) {
        Thread.sleep(20);
      }
      assertThat(client.templateRows(t.id()).get(0).ready()).isTrue();
      return t.id();
    }
  }
}
