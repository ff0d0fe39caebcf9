package dev.kiln.core.internal.pipeline;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.event.Stage;
import dev.kiln.core.BuildResult;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.spi.Publisher;
import java.nio.file.Files;
import java.util.List;

/**
 * One build: the stages in order, each handing the next its typed result; every failure is
 * attributed by the {@link StageRunner} to the stage that was running, and the cleanup stack
 * is unwound in reverse when the build ends, however it ends.
 */
public final class Pipeline {
  private final BuildSettings settings;

  public Pipeline(BuildSettings settings) {
    this.settings = settings;
  }

  public BuildResult run() throws BuildFailedException, InterruptedException {
    BuildContext ctx = new BuildContext(settings);
    StageRunner stages = new StageRunner(ctx);
    try {
      ResolvedSource source = stages.run(Stage.SOURCE, () -> {
        ResolvedSource s = new SourceStage(ctx).resolve();
        // written by BuildKey.writeTo when a failed build keeps its machine
        ctx.cleanup.push("build key files", true, () -> {
          Files.deleteIfExists(ctx.buildDirectory().resolve("id_ed25519"));
          Files.deleteIfExists(ctx.buildDirectory().resolve("id_ed25519.pub"));
        });
        return s;
      });
      InstalledDisk disk;
      if (source.installer()) {
        disk = stages.run(Stage.INSTALL, () -> new InstallStage(ctx).install(source));
      } else {
        disk = new InstalledDisk(source.file(), source.format(),
            BuildKey.generate("kiln-build-" + settings.buildId()));
      }
      ctx.key(disk.key());
      GuestSession session = stages.run(Stage.CONNECT, () -> new ConnectStage(ctx)
          .connect(disk));
      ProvisionedGuest guest = stages.run(Stage.PROVISION, () -> new ProvisionStage(ctx)
          .provision(session));
      StoppedMachine stopped = stages.run(Stage.GENERALIZE, () -> new GeneralizeStage(ctx)
          .generalize(guest));
      List<Exporter.Artifact> artifacts = stages.run(Stage.EXPORT, () -> new ExportStage(ctx)
          .export(stopped));
      if (settings.verify()) {
        stages.run(Stage.VERIFY, () -> {
          new VerifyStage(ctx).verify(artifacts);
          return null;
        });
      }
      List<Publisher.PublishedTemplate> published = List.of();
      if (settings.publishing().enabled() && !ctx.recipe.publish().isEmpty()) {
        published = stages.run(Stage.PUBLISH, () -> new PublishStage(ctx).publish(artifacts));
      }
      return new BuildResult(settings.buildId(), artifacts.stream().map(a ->
          new BuildResult.Artifact(a.spec(), a.file().file(), a.file().size(),
              a.file().checksums())).toList(), ctx.times, settings.outputDirectory().resolve(
                  ManifestWriter.FILE), published, ctx.install != null && ctx.install.reused());
    } finally {
      ctx.cleanup.unwind(stages.keeping());
    }
  }
}
