package dev.kiln.core.internal.pipeline;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.api.event.BuildSummary;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import dev.kiln.core.internal.ssh.BuildKey;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
    Instant started = ctx.events.now();
    Optional<Stage> failed = Optional.empty();
    boolean succeeded = false;
    ctx.tally.start();
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
            BuildKey.generate("kiln-build-" + settings.buildId()), true);
      }
      ctx.key(disk.key());
      GuestSession session = stages.run(Stage.CONNECT, () -> {
        // an earlier build's layers may hold the first steps: boot from the last of them
        ctx.stepPlan = StepPlan.prepare(ctx, disk, source);
        InstalledDisk boot = ctx.stepPlan.bootDisk(disk);
        ctx.key(boot.key());
        return new ConnectStage(ctx).connect(boot);
      });
      ProvisionedGuest guest = stages.run(Stage.PROVISION, () -> new ProvisionStage(ctx)
          .provision(session, ctx.stepPlan));
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
      List<PublishedTemplate> published = List.of();
      if (settings.publishing().enabled() && !ctx.recipe.publish().isEmpty()) {
        published = stages.run(Stage.PUBLISH, () -> new PublishStage(ctx).publish(artifacts));
      }
      BuildResult result = new BuildResult(settings.buildId(), artifacts.stream().map(a ->
          new BuildResult.Artifact(a.spec(), a.file().file(), a.file().size(),
              a.file().checksums())).toList(), ctx.times, settings.outputDirectory().resolve(
                  ManifestWriter.FILE), published, ctx.install != null && ctx.install.reused());
      succeeded = true;
      return result;
    } catch (BuildFailedException e) {
      failed = Optional.of(e.stage());
      throw e;
    } finally {
      try {
        ctx.cleanup.unwind(stages.keeping());
      } finally {
        ctx.tally.close();
        finished(ctx, started, failed, succeeded);
      }
    }
  }

  /** The last event: the build's summary, for metrics and history. */
  private void finished(BuildContext ctx, Instant started, Optional<Stage> failed,
      boolean succeeded) {
    List<BuildSummary.Artifact> artifacts = ctx.exported.stream().map(a ->
        new BuildSummary.Artifact(a.spec().format().name().toLowerCase(Locale.ROOT),
            a.spec().compression().name().toLowerCase(Locale.ROOT),
            a.file().file().getFileName().toString(), a.file().size(), a.virtualSize()))
        .toList();
    Instant now = ctx.events.now();
    BuildSummary summary = ctx.tally.summary(started, Duration.between(started, now), failed,
        succeeded, succeeded ? artifacts : List.of(), settings.queueWait(),
        ctx.install == null ? Optional.empty() : Optional.of(ctx.install.reused()));
    ctx.events.dispatch(new KilnEvent.BuildFinished(settings.buildId(), now, summary));
  }
}
