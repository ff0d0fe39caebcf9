package dev.kiln.core.internal.pipeline;

import dev.kiln.api.CloudImageSource;
import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.IsoSource;
import dev.kiln.core.internal.source.ContentCache;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Source: the verified, cached cloud image or ISO, or a debootstrapped base disk; and the
 * hardening scan's SCAP content, when the recipe names one.
 */
final class SourceStage {
  private final BuildContext ctx;

  SourceStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  ResolvedSource resolve() throws Exception {
    ctx.createBuildDirectory();
    Path cacheRoot = ctx.settings.workRoot().resolve("cache");
    ContentCache cache = new ContentCache(cacheRoot);
    // the hardening scan's content is verified now, before any machine boots
    var content = ctx.recipe.hardening().flatMap(dev.kiln.api.HardeningScan::content);
    if (content.isPresent()) {
      ctx.hardeningContent = cache.resolve(content.get(), ctx.events.handlers(),
          ctx.events.buildId());
    }
    if (ctx.recipe.source() instanceof CloudImageSource c) {
      ContentCache.Resolved r = cache.resolve(c.image(), ctx.events.handlers(),
          ctx.events.buildId());
      ctx.tally.cacheLookup(r.lookup());
      String checksum = r.checksum().algorithm() + ":" + r.checksum().hex();
      ctx.source = BuildManifest.Source.download("cloud-image", r.origin().toString(), checksum);
      return new ResolvedSource(r.file(), formatOf(r.file()), checksum);
    }
    if (ctx.recipe.source() instanceof IsoSource i) {
      ContentCache.Resolved r = cache.resolve(i.iso(), ctx.events.handlers(),
          ctx.events.buildId());
      ctx.tally.cacheLookup(r.lookup());
      String checksum = r.checksum().algorithm() + ":" + r.checksum().hex();
      ctx.source = BuildManifest.Source.download("iso", r.origin().toString(), checksum);
      return new ResolvedSource(r.file(), "iso", checksum);
    }
    DebootstrapSource d = (DebootstrapSource) ctx.recipe.source();
    Path disk = DebootstrapBase.build(d, cacheRoot.resolve("debootstrap"),
        ctx.recipe.machine().diskSizeBytes(), ctx.events.handlers(), ctx.events.buildId());
    ctx.source = BuildManifest.Source.debootstrap(d.suite(), d.mirror().toString(),
        disk.getFileName().toString(), DebootstrapBase.indexes(disk));
    return new ResolvedSource(disk, "raw", "");
  }

  private static String formatOf(Path file) throws IOException {
    ImageFormat f = FormatRegistry.standard().detect(file);
    return switch (f) {
      case QCOW2 -> "qcow2";
      case RAW -> "raw";
      default -> throw new IOException(file + " is a " + f + " image; a cloud image must be "
          + "qcow2 or raw");
    };
  }
}
