package dev.kiln.core;

import dev.kiln.api.BuildResult;
import dev.kiln.api.KilnException;
import dev.kiln.api.PublishTarget;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.Recipe;
import dev.kiln.core.internal.pipeline.PipelineFixture;
import dev.kiln.core.matrix.BuildHost;
import dev.kiln.core.matrix.EntryResult;
import dev.kiln.core.matrix.MatrixEntry;
import dev.kiln.core.testing.FakeOsProfile;
import dev.kiln.spi.Publisher;
import dev.kiln.spi.PublisherProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The entry point's wiring: publish routing by profile, matrices that publish, early errors. */
class KilnTest {
  @TempDir
  Path tmp;

  /** Records which profile each publish went to. */
  static final class RecordingProvider implements PublisherProvider {
    final List<String> opened = new CopyOnWriteArrayList<>();
    final List<String> published = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public boolean handles(PublishTarget target) {
      return true;
    }

    @Override
    public Publisher open(PublishTarget target, String family, String version) {
      String profile = target.profile();
      opened.add(profile + " " + family + " " + version);
      return (buildId, artifacts, t, events) -> {
        published.add(profile + "←" + t.profile() + " " + buildId + " " + artifacts.size());
        return List.of(new PublishedTemplate("id-" + profile, family, profile,
            "KVM"));
      };
    }
  }

  private Kiln kiln(PipelineFixture f, RecordingProvider publishers) {
    return Kiln.builder().hypervisors(uri -> f.hypervisor).addOsCatalog(os ->
        os.id().equals("fakeos") ? Optional.of(new FakeOsProfile()) : Optional.empty())
        .addPublisher(publishers).workRoot(f.work).build();
  }

  /** Defect: publish[].profile was parsed but every target went to the CLI's one profile. */
  @Test
  void eachPublishTargetGoesToItsOwnProfile() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    RecordingProvider p = new RecordingProvider();
    Recipe recipe = f.cloudImageRecipe().addPublishTarget(PipelineFixture.target("lab"))
        .addPublishTarget(PipelineFixture.target("prod")).build();
    try (Kiln kiln = kiln(f, p)) {
      BuildResult r = kiln.build(recipe).buildId("b1").outputDirectory(f.out).publish(true)
          .guestConnector(f.connector).verify(false).build().run();
      assertThat(p.opened).containsExactly("lab fake b1", "prod fake b1");
      assertThat(p.published).containsExactly("lab←lab b1 2", "prod←prod b1 2");
      assertThat(r.published()).extracting(PublishedTemplate::zone)
          .containsExactly("lab", "prod");
    }
  }

  @Test
  void aProfileOverrideSendsEveryTargetToThatProfile() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    RecordingProvider p = new RecordingProvider();
    Recipe recipe = f.cloudImageRecipe().addPublishTarget(PipelineFixture.target("lab"))
        .addPublishTarget(PipelineFixture.target("prod")).build();
    try (Kiln kiln = kiln(f, p)) {
      kiln.build(recipe).buildId("b1").outputDirectory(f.out).publish(true)
          .publishProfile("ci").guestConnector(f.connector).verify(false).build().run();
    }
    assertThat(p.opened).containsExactly("ci fake b1");
    assertThat(p.published).containsExactly("ci←ci b1 2", "ci←ci b1 2");
  }

  @Test
  void withoutPublishTheRecipesTargetsAreLeftAlone() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    RecordingProvider p = new RecordingProvider();
    Recipe recipe = f.cloudImageRecipe().addPublishTarget(PipelineFixture.target("lab"))
        .build();
    try (Kiln kiln = kiln(f, p)) {
      kiln.build(recipe).buildId("b1").outputDirectory(f.out).guestConnector(f.connector).verify(false)
          .build().run();
    }
    assertThat(p.opened).isEmpty();
  }

  /** The entry point's registry and history receive every build, one record each. */
  @Test
  void aKilnsMeterRegistryAndHistoryRecordItsBuilds() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    String url = dev.kiln.core.history.BuildHistory.sqliteUrl(tmp.resolve("h"));
    try (var history = dev.kiln.core.history.BuildHistory.open(url);
        Kiln kiln = Kiln.builder().hypervisors(uri -> f.hypervisor).addOsCatalog(os ->
            Optional.of(new FakeOsProfile())).workRoot(f.work).meterRegistry(registry)
            .buildHistory(history).build()) {
      kiln.build(f.cloudImageRecipe().build()).buildId("m1").outputDirectory(f.out)
          .guestConnector(f.connector).verify(false).build().run();
      assertThat(history.builds(Optional.empty(), java.time.Instant.EPOCH))
          .extracting(dev.kiln.core.history.BuildHistory.Entry::buildId).containsExactly("m1");
    }
    assertThat(registry.get("kiln.build").tag("result", "success").timer().count())
        .isEqualTo(1);
    assertThat(registry.get("kiln.build").tag("result", "failure").timer().count()).isZero();
    assertThat(registry.get("kiln.stage").tag("stage", "export").timer().count()).isEqualTo(1);
  }

  /** Defect: matrix builds could not publish. */
  @Test
  void matrixBuildsPublish() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    RecordingProvider p = new RecordingProvider();
    Recipe recipe = f.cloudImageRecipe().addPublishTarget(PipelineFixture.target("lab"))
        .build();
    List<BuildHost> hosts = List.of(new BuildHost("h1", URI.create("qemu:///system"), 1,
        Set.of()));
    try (Kiln kiln = kiln(f, p)) {
      List<EntryResult> results = kiln.matrix(List.of(new MatrixEntry("e1", recipe, Set.of()),
          new MatrixEntry("e2", recipe, Set.of())), hosts).outputDirectory(f.out).parallel(1)
          .configure(b -> b.publish(true).guestConnector(f.connector).verify(false)).run();
      assertThat(results).allMatch(EntryResult::succeeded);
    }
    assertThat(p.published).containsExactlyInAnyOrder("lab←lab e1-h1 2", "lab←lab e2-h1 2");
    assertThat(f.out.resolve("e1/manifest.json")).content().contains("\"id-lab\"");
  }

  /** Defect: an unknown OS was reported at run time, as a failure of the source stage. */
  @Test
  void anUnknownOsIsRefusedWhenTheBuildIsMade() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Recipe recipe = f.cloudImageRecipe().build();
    try (Kiln kiln = Kiln.builder().hypervisors(uri -> f.hypervisor).build()) {
      assertThatThrownBy(() -> kiln.build(recipe).build()).isInstanceOf(KilnException.class)
          .hasMessage("no OS profile for fakeos-1 (see kiln list)");
    }
    assertThatThrownBy(() -> Build.builder(recipe).hypervisors(uri -> f.hypervisor).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no OS catalog");
    assertThat(f.hypervisor.machines).isEmpty();
  }

  @Test
  void aClosedKilnMakesNoBuilds() throws Exception {
    PipelineFixture f = new PipelineFixture(tmp);
    Kiln kiln = kiln(f, new RecordingProvider());
    kiln.close();
    assertThatThrownBy(() -> kiln.build(f.cloudImageRecipe().build()))
        .isInstanceOf(IllegalStateException.class).hasMessage("this Kiln is closed");
  }
}
