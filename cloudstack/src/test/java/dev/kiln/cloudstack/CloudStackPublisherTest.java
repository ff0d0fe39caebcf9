package dev.kiln.cloudstack;

import dev.kiln.api.OutputSpec;
import dev.kiln.api.PublishException;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.TargetHypervisor;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.cloudstack.standin.CloudStackStandIn;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.spi.Publisher;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The publisher's lifecycle against the stand-in: both modes, idempotence, zones, smoke, prune. */
class CloudStackPublisherTest {
  CloudStackStandIn standIn;
  CloudStackClient client;
  List<KilnEvent> events = new CopyOnWriteArrayList<>();
  EventHandlers handlers = EventHandlers.builder().addAll(events::add).build();
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

  Publisher.Artifact artifact(String name, TargetHypervisor h, ImageFormat f, Packaging c)
      throws Exception {
    Path file = TestImages.image(dir, name);
    byte[] data = Files.readAllBytes(file);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    return new Publisher.Artifact(file, new OutputSpec(h, f, c), data.length,
        Map.of("SHA-256", sha));
  }

  CloudStackPublisher publisher(String version) {
    return CloudStackPublisher.builder(client, "debian-12-x86_64", version)
        .pollInterval(Duration.ofMillis(20)).readyTimeout(Duration.ofSeconds(30)).build();
  }

  PublishTarget target(PublishTarget.Mode mode, List<String> zones, Optional<String> smoke,
      OptionalInt keep) {
    return new PublishTarget("standin", zones, "Debian GNU/Linux 12 (64-bit)", mode,
        mode == PublishTarget.Mode.URL ? Optional.of(URI.create("http://127.0.0.1:0"))
            : Optional.empty(), smoke, keep);
  }

  @Test
  void urlRegistrationIntoTwoZonesIsIdempotent() throws Exception {
    List<Publisher.Artifact> artifacts = List.of(
        artifact("debian-12.qcow2.bz2", TargetHypervisor.KVM, ImageFormat.QCOW2,
            Packaging.BZIP2),
        artifact("debian-12.vhd.bz2", TargetHypervisor.XENSERVER, ImageFormat.VHD,
            Packaging.BZIP2));
    PublishTarget target = target(PublishTarget.Mode.URL, List.of("zone1", "zone2"),
        Optional.empty(), OptionalInt.empty());
    List<PublishedTemplate> out = publisher("20261125.1").publish("b-1", artifacts,
        target, handlers);
    assertThat(out).extracting(PublishedTemplate::name).containsExactly(
        "debian-12-x86_64-kvm-20261125.1", "debian-12-x86_64-kvm-20261125.1",
        "debian-12-x86_64-xenserver-20261125.1", "debian-12-x86_64-xenserver-20261125.1");
    assertThat(out).extracting(PublishedTemplate::zone).containsExactly("zone1",
        "zone2", "zone1", "zone2");
    assertThat(out).extracting(PublishedTemplate::hypervisor).contains("KVM",
        "XenServer");
    for (PublishedTemplate t : out) {
      assertThat(client.templateRows(t.id())).allMatch(Template::ready).hasSize(2);
    }
    assertThat(client.listTags("Template", "kiln-build", Optional.of("b-1"))).hasSize(2);
    assertThat(standIn.count("copyTemplate")).isEqualTo(2);
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.ByteProgress p && p.done() == 100
        && p.task().contains("zone2"));
    // the registration never used templatetag (a host tag)
    assertThat(standIn.requests).noneMatch(r -> r.containsKey("templatetag"));

    // a re-run of the same build (e.g. after a crash) registers nothing new
    publisher("20261125.1").publish("b-1", artifacts, target, handlers);
    assertThat(standIn.count("registerTemplate")).isEqualTo(2);
    assertThat(standIn.templateNames()).hasSize(2);
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.Warning w
        && w.code().equals("publish.reused"));
  }

  @Test
  void uploadModeUsesTheOneTimeUrl() throws Exception {
    Publisher.Artifact a = artifact("debian-12.vhd.zip", TargetHypervisor.HYPERV, ImageFormat.VHD,
        Packaging.ZIP);
    List<PublishedTemplate> out = publisher("7").publish("b-2", List.of(a),
        target(PublishTarget.Mode.UPLOAD, List.of("zone1"), Optional.empty(),
            OptionalInt.empty()), handlers);
    assertThat(out).singleElement().satisfies(t -> {
      assertThat(t.hypervisor()).isEqualTo("Hyperv");
      assertThat(t.name()).isEqualTo("debian-12-x86_64-hyperv-7");
    });
    assertThat(client.templateRows(out.get(0).id())).allMatch(Template::ready);
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.ByteProgress p
        && p.task().startsWith("upload ") && p.done() == a.size());
  }

  @Test
  void aChecksumMismatchFailsWithTheServersStatus() throws Exception {
    Publisher.Artifact good = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    Publisher.Artifact lying = new Publisher.Artifact(good.file(), good.spec(), good.size(),
        Map.of("SHA-256", "0".repeat(64)));
    assertThatThrownBy(() -> publisher("1").publish("b-3", List.of(lying),
        target(PublishTarget.Mode.URL, List.of("zone1"), Optional.empty(), OptionalInt.empty()),
        handlers)).isInstanceOf(PublishException.class)
        .hasMessageContaining("checksum").hasMessageContaining("DOWNLOAD_ERROR");
  }

  @Test
  void aFailedSmokeTestRollsTheTemplateBack() throws Exception {
    standIn.smokeDeployFails(true);
    Publisher.Artifact a = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    assertThatThrownBy(() -> publisher("1").publish("b-4", List.of(a),
        target(PublishTarget.Mode.URL, List.of("zone1"), Optional.of("Small Instance"),
            OptionalInt.empty()), handlers)).isInstanceOf(PublishException.class)
        .hasMessageContaining("smoke test").hasMessageContaining("rolled back");
    assertThat(standIn.templateNames()).isEmpty();
    // the failed job's VM (state Error, which blocks deleteTemplate) was expunged first
    assertThat(standIn.vmStates()).isEmpty();
    assertThat(standIn.count("destroyVirtualMachine")).isEqualTo(1);
  }

  @Test
  void aZoneWithoutHostsOfTheHypervisorFailsBeforeRegistering() throws Exception {
    standIn.withoutHostsOf("XenServer");
    Publisher.Artifact vhd = artifact("x.vhd.bz2", TargetHypervisor.XENSERVER, ImageFormat.VHD,
        Packaging.BZIP2);
    // what the real server does, and the stand-in now too: accepted, then never listed
    String hidden = client.registerTemplate(TemplateRequest.builder("hidden", "VHD",
        "XenServer", standIn.zoneId("zone1"), client.osType("Other Linux (64-bit)").id())
        .build(), URI.create("http://127.0.0.1:9/x.vhd.bz2")).id();
    assertThat(client.templateRows(hidden)).isEmpty();
    assertThatThrownBy(() -> publisher("1").publish("b-h", List.of(vhd),
        target(PublishTarget.Mode.URL, List.of("zone1"), Optional.empty(),
            OptionalInt.empty()), handlers)).isInstanceOf(PublishException.class)
        .hasMessage("zone zone1 has no Up XenServer host: CloudStack would accept "
            + "debian-12-x86_64-xenserver-1 but never list it (it hides templates that no host "
            + "in the zone can run); add a XenServer host to zone1 or publish this artifact "
            + "to another zone");
    assertThat(standIn.count("registerTemplate")).isEqualTo(1); // only the test's own
  }

  @Test
  void theSameFileUnderANewVersionIsNotRegisteredAgain() throws Exception {
    Publisher.Artifact a = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    PublishTarget target = target(PublishTarget.Mode.URL, List.of("zone1", "zone2"),
        Optional.empty(), OptionalInt.empty());
    publisher("202612021000").publish("b-a", List.of(a), target, handlers);
    List<PublishedTemplate> again = publisher("202612021001").publish("b-b",
        List.of(a), target, handlers);
    assertThat(standIn.count("registerTemplate")).isEqualTo(1);
    assertThat(standIn.count("copyTemplate")).isEqualTo(1);
    assertThat(again).extracting(PublishedTemplate::name).containsOnly(
        "debian-12-x86_64-kvm-202612021000");
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.Warning w
        && w.code().equals("publish.reused") && w.message().contains("same SHA-256"));
    // a different file under the same family is a new template
    publisher("202612021002").publish("b-c", List.of(artifact("y.qcow2", TargetHypervisor.KVM,
        ImageFormat.QCOW2, Packaging.NONE)), target, handlers);
    assertThat(standIn.count("registerTemplate")).isEqualTo(2);
  }

  @Test
  void aFailedUploadLeavesNoOrphanAndTheNextRunUploads() throws Exception {
    standIn.failUploads(1);
    Publisher.Artifact a = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    PublishTarget target = target(PublishTarget.Mode.UPLOAD, List.of("zone1"),
        Optional.empty(), OptionalInt.empty());
    assertThatThrownBy(() -> publisher("1").publish("b-u", List.of(a), target, handlers))
        .isInstanceOf(CloudStackException.class).hasMessageContaining("503")
        .hasMessageContaining("uploading to 127.0.0.1")
        .hasMessageContaining("secstorage.ssl.cert.domain");
    assertThat(standIn.templateNames()).isEmpty();
    List<PublishedTemplate> out = publisher("1").publish("b-u", List.of(a), target,
        handlers);
    assertThat(client.templateRows(out.get(0).id())).allMatch(Template::ready);
    assertThat(standIn.count("getUploadParamsForTemplate")).isEqualTo(2);
  }

  @Test
  void anUploadTemplateLeftByACrashedRunIsReplacedNotReused() throws Exception {
    Publisher.Artifact a = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    // a run that died between getUploadParamsForTemplate and the upload
    String orphan = client.getUploadParamsForTemplate(TemplateRequest.builder(
        "debian-12-x86_64-kvm-1", "QCOW2", "KVM", standIn.zoneId("zone1"),
        client.osType("Debian GNU/Linux 12 (64-bit)").id()).build()).id();
    List<PublishedTemplate> out = publisher("1").publish("b-o", List.of(a),
        target(PublishTarget.Mode.UPLOAD, List.of("zone1"), Optional.empty(),
            OptionalInt.empty()), handlers);
    assertThat(out.get(0).id()).isNotEqualTo(orphan);
    assertThat(client.templateRows(orphan)).isEmpty();
    assertThat(client.templateRows(out.get(0).id())).allMatch(Template::ready)
        .allMatch(t -> t.tags().containsKey(CloudStackPublisher.TAG_SHA256));
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.Warning w
        && w.code().equals("publish.replaced"));
  }

  /** A file CloudStack would refuse stops the publish before the first call to the cloud. */
  @Test
  void aFileCloudStackWouldRefuseStopsThePublishBeforeAnyCall() throws Exception {
    Publisher.Artifact good = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    Path xz = Files.copy(good.file(), dir.resolve("x.qcow2.xz"));
    Publisher.Artifact refused = new Publisher.Artifact(xz, good.spec(), good.size(),
        good.checksums());
    assertThatThrownBy(() -> publisher("1").publish("b-r", List.of(refused), target(
        PublishTarget.Mode.UPLOAD, List.of("zone1"), Optional.empty(), OptionalInt.empty()),
        handlers)).isInstanceOf(dev.kiln.api.PublishException.class)
        .hasMessageStartingWith("CloudStack would refuse x.qcow2.xz: CloudStack does not "
            + "accept .xz").hasMessageContaining("[UriUtils.COMMPRESSION_FORMATS]");
    assertThat(standIn.count("listZones") + standIn.count("getUploadParamsForTemplate")
        + standIn.count("registerTemplate")).isZero();
  }

  /** The cloud's template leads back to its SBOM and provenance by their digests. */
  @Test
  void theTemplateCarriesTheSbomAndProvenanceDigestsAsTags() throws Exception {
    Publisher.Artifact plain = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    Publisher.Artifact a = new Publisher.Artifact(plain.file(), plain.spec(), plain.size(),
        plain.checksums(), Map.of("sbom", "ab".repeat(32), "provenance", "cd".repeat(32)));
    List<PublishedTemplate> out = publisher("1").publish("b-t", List.of(a),
        target(PublishTarget.Mode.UPLOAD, List.of("zone1"), Optional.empty(),
            OptionalInt.empty()), handlers);
    assertThat(client.templateRows(out.get(0).id())).allSatisfy(t -> assertThat(t.tags())
        .containsEntry("kiln-sbom-sha256", "ab".repeat(32))
        .containsEntry("kiln-provenance-sha256", "cd".repeat(32))
        .containsKey(CloudStackPublisher.TAG_SHA256));
  }

  @Test
  void aPassedSmokeTestLeavesNoVmBehind() throws Exception {
    Publisher.Artifact a = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    publisher("1").publish("b-5", List.of(a), target(PublishTarget.Mode.URL, List.of("zone1"),
        Optional.of("Small Instance"), OptionalInt.empty()), handlers);
    assertThat(standIn.count("deployVirtualMachine")).isEqualTo(1);
    assertThat(standIn.count("destroyVirtualMachine")).isEqualTo(1);
    assertThat(client.virtualMachine("any")).isEmpty();
    assertThat(standIn.templateNames()).containsExactly("debian-12-x86_64-kvm-1");
  }

  @Test
  void retentionKeepsTheNewestVersions() throws Exception {
    Publisher.Artifact a = artifact("x.qcow2", TargetHypervisor.KVM, ImageFormat.QCOW2,
        Packaging.NONE);
    for (String v : List.of("1", "2", "3")) {
      Publisher.Artifact changed = artifact("v" + v + ".qcow2", TargetHypervisor.KVM,
          ImageFormat.QCOW2, Packaging.NONE);
      publisher(v).publish("b-" + v, List.of(changed), target(PublishTarget.Mode.URL,
          List.of("zone1"), Optional.empty(), OptionalInt.of(2)), handlers);
    }
    assertThat(standIn.templateNames()).containsExactly("debian-12-x86_64-kvm-2",
        "debian-12-x86_64-kvm-3");
    assertThat(a).isNotNull();
  }
}
