package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnVersion;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.core.stepcache.StepCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How this build uses the step cache: which steps an earlier build's layers let it skip, what
 * it boots from, and after which steps it stores a layer. Without a cache (turned off, a
 * remote host, no steps, a step file that cannot be read) every step runs and nothing is kept.
 */
final class StepPlan {
  /**
   * Layers beyond this many steps are not kept: every layer is one more backing file each read
   * of the disk may fall through (Kiln's reader and QEMU follow chains, not endless ones).
   */
  static final int MAX_LAYERS = 40;

  private final StepCache cache;
  private final List<String> keys;
  private final Path base;
  private final Optional<StepCache.Hit> hit;
  private final Set<String> chain = new HashSet<>();
  private boolean stoppedKeeping;

  private StepPlan(StepCache cache, List<String> keys, Path base, Optional<StepCache.Hit> hit) {
    this.cache = cache;
    this.keys = keys;
    this.base = base;
    this.hit = hit;
    hit.ifPresent(h -> chain.addAll(keys.subList(0, h.steps())));
  }

  static StepPlan none() {
    return new StepPlan(null, List.of(), null, Optional.empty());
  }

  /** Looks the build's steps up; problems with the cache turn it off with a warning. */
  static StepPlan prepare(BuildContext ctx, InstalledDisk disk, ResolvedSource source)
      throws Exception {
    List<ProvisionStep> steps = ctx.recipe.provisioning();
    if (ctx.settings.stepCacheBytes() <= 0 || steps.isEmpty()) {
      return none();
    }
    if (!ctx.hypervisor().layersDisks()) {
      ctx.events.warning("step-cache.off", "the step cache is not used on "
          + ctx.hypervisor().name() + " hosts that are not this machine: every step runs");
      return none();
    }
    StepCache cache = StepCache.under(ctx.settings.workRoot());
    try {
      List<String> all = StepKeys.of(ctx.recipe, ctx.settings.profile().id(), disk.file(),
          source.checksum(), ProvisionStage.ENVIRONMENT);
      List<String> keys = all.subList(0, Math.min(all.size(), MAX_LAYERS));
      Optional<StepCache.Hit> hit = cache.longestPrefix(keys, disk.file(),
          StepCache.DEFAULT_MAX_AGE);
      StepPlan plan = new StepPlan(cache, keys, disk.file(), hit);
      ctx.events.dispatch(new KilnEvent.StepsReused(ctx.settings.buildId(), ctx.events.now(),
          plan.reused(), steps.size(), hit.map(h -> keys.get(h.steps() - 1)).orElse("")));
      return plan;
    } catch (IOException e) {
      ctx.events.warning("step-cache.off", "the step cache is not used: " + e.getMessage());
      return none();
    }
  }

  /** How many leading steps the boot disk already holds. */
  int reused() {
    return hit.map(StepCache.Hit::steps).orElse(0);
  }

  /** What to boot: the last reused step's layer with the key its build user accepts. */
  InstalledDisk bootDisk(InstalledDisk disk) {
    return hit.map(h -> new InstalledDisk(h.layer(), "qcow2", BuildKey.load(h.privateKeyText()),
        false)).orElse(disk);
  }

  /** After a failure to keep a layer: no later layer could chain to it. */
  void stopKeeping() {
    stoppedKeeping = true;
  }

  /** Whether a layer is kept after step {@code n} (1-based). */
  boolean keepsAfter(int n) {
    return cache != null && !stoppedKeeping && n > reused() && n <= keys.size();
  }

  /** Stores {@code frozenLayer}, the disk after step {@code n}, and prunes to the cap. */
  void store(BuildContext ctx, int n, ProvisionStep step, Path frozenLayer, BuildKey key)
      throws IOException {
    String k = keys.get(n - 1);
    cache.put(k, n == 1 ? Optional.empty() : Optional.of(keys.get(n - 2)), base, n,
        StepKeys.what(step), ctx.recipe.os().toString(), KilnVersion.get(), frozenLayer,
        key.privateKeyText());
    chain.add(k);
    cache.prune(ctx.settings.stepCacheBytes(), StepCache.DEFAULT_MAX_AGE, chain, false);
  }

  /** The manifest's account: the key of every step and which were reused. */
  Optional<BuildManifest.StepCache> record() {
    if (cache == null) {
      return Optional.empty();
    }
    return Optional.of(new BuildManifest.StepCache(reused(), keys));
  }
}
