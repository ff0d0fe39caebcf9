package dev.kiln.core.internal.pipeline;

import dev.kiln.api.PublishTarget;
import dev.kiln.api.PublishedTemplate;
import dev.kiln.spi.Publisher;
import java.util.ArrayList;
import java.util.List;

/**
 * Publish: each of the recipe's targets goes to the publisher its routing picks (by type and
 * profile); {@code manifest.json} is written again with what was created.
 */
final class PublishStage {
  private final BuildContext ctx;

  PublishStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  List<PublishedTemplate> publish(List<Exporter.Artifact> artifacts)
      throws Exception {
    java.util.Map<String, String> attestations = new java.util.LinkedHashMap<>();
    if (ctx.sbom != null) {
      attestations.put("sbom", ctx.sbom.sha256());
    }
    if (ctx.provenance != null) {
      attestations.put("provenance", ctx.provenance.sha256());
    }
    List<Publisher.Artifact> list = artifacts.stream().map(a -> new Publisher.Artifact(
        a.file().file(), a.spec(), a.file().size(), a.file().checksums(), attestations))
        .toList();
    PublishRouting routing = ctx.settings.publishing();
    String family = ctx.recipe.name().replaceAll("[^a-z0-9._-]", "-");
    List<PublishedTemplate> out = new ArrayList<>();
    for (PublishTarget t : ctx.recipe.publish()) {
      PublishTarget target = routing.effective(t);
      Publisher publisher = routing.publisherFor(target, family, ctx.settings.buildId());
      out.addAll(publisher.publish(ctx.settings.buildId(), list, target,
          ctx.events.handlers()));
    }
    ctx.published = out.stream().map(p -> new BuildManifest.Published(p.id(), p.name(),
        p.zone(), p.hypervisor())).toList();
    ManifestWriter.write(ctx.manifest(), ctx.settings.outputDirectory());
    return out;
  }
}
