package dev.kiln.cli;

import dev.kiln.core.stepcache.StepCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln cache ls|prune|clear}: the step cache of incremental rebuilds. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = {"The step cache: "
    + "after each provisioning step a build keeps the disk's new layer, keyed by everything "
    + "before it; a rebuild boots from its longest unchanged prefix and runs only the steps "
    + "after it (kiln build --no-cache turns it off)."},
    subcommands = {CacheCommand.Ls.class, CacheCommand.Prune.class, CacheCommand.Clear.class})
final class CacheCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** Options every subcommand shares. */
  static class Where {
    @Option(names = "--work-root", paramLabel = "DIR", description = "Kiln's work root "
        + "(default: /var/tmp/kiln); the cache is DIR/cache/steps.")
    Path workRoot = Path.of("/var/tmp/kiln");
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the cached "
      + "steps, least recently used first: key, step, what it did, OS, size, age, last use.")
  static final class Ls implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Where where = new Where();

    @Override
    public Integer call() {
      PrintWriter o = spec.commandLine().getOut();
      StepCache cache = StepCache.under(where.workRoot);
      try {
        List<StepCache.Entry> all = cache.entries();
        if (all.isEmpty()) {
          o.println("the step cache is empty (" + cache.directory() + ")");
          return 0;
        }
        o.printf(Locale.ROOT, "%-16s %4s  %-32s %-12s %9s  %-10s %s%n", "KEY", "STEP", "WHAT",
            "OS", "SIZE", "CREATED", "LAST USED");
        long total = 0;
        for (StepCache.Entry e : all) {
          o.printf(Locale.ROOT, "%-16s %4d  %-32s %-12s %9s  %-10s %s%n",
              e.key().substring(0, 16), e.step(), clip(e.what(), 32), e.os(),
              Sizes.human(e.bytes()), e.created().truncatedTo(ChronoUnit.DAYS).toString()
                  .substring(0, 10), e.lastUsed().truncatedTo(ChronoUnit.SECONDS));
          total += e.bytes();
        }
        o.println(all.size() + " step(s), " + Sizes.human(total));
        return 0;
      } catch (IOException e) {
        spec.commandLine().getErr().println("kiln cache ls: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
    }

    private static String clip(String s, int width) {
      return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
  }

  @Command(name = "prune", mixinStandardHelpOptions = true, description = "Remove steps that "
      + "can never be reused (too old, their base or parent gone), then the least recently "
      + "used until the cache fits --max-size; a step goes with every step built on it.")
  static final class Prune implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Where where = new Where();

    @Option(names = "--max-gib", paramLabel = "GIB", description = "Size to prune to "
        + "(default: 32).")
    long maxGib = StepCache.DEFAULT_MAX_BYTES >> 30;

    @Option(names = "--max-age-days", paramLabel = "DAYS", description = "Remove steps older "
        + "than this (default: 7; older ones are never reused).")
    long maxAgeDays = StepCache.DEFAULT_MAX_AGE.toDays();

    @Option(names = {"-n", "--dry-run"}, description = "Only list what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() {
      if (maxGib < 0 || maxAgeDays < 0) {
        spec.commandLine().getErr().println("kiln cache prune: --max-gib and --max-age-days "
            + "cannot be negative");
        return 2; // usage error, as picocli reports one
      }
      try {
        return report(spec, StepCache.under(where.workRoot).prune(maxGib << 30,
            Duration.ofDays(maxAgeDays), Set.of(), dryRun), dryRun);
      } catch (IOException e) {
        spec.commandLine().getErr().println("kiln cache prune: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
    }
  }

  @Command(name = "clear", mixinStandardHelpOptions = true, description = "Remove every "
      + "cached step.")
  static final class Clear implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    Where where = new Where();

    @Option(names = {"-n", "--dry-run"}, description = "Only list what would be removed.")
    boolean dryRun;

    @Override
    public Integer call() {
      try {
        return report(spec, StepCache.under(where.workRoot).clear(dryRun), dryRun);
      } catch (IOException e) {
        spec.commandLine().getErr().println("kiln cache clear: " + IoErrors.sentence(e));
        return KilnCli.EXIT_INVALID;
      }
    }
  }

  static int report(CommandLine.Model.CommandSpec spec, List<StepCache.Entry> removed,
      boolean dryRun) {
    PrintWriter o = spec.commandLine().getOut();
    long bytes = 0;
    for (StepCache.Entry e : removed) {
      o.printf(Locale.ROOT, "%s step %d %s (%s, %s)%n", dryRun ? "would remove" : "removed",
          e.step(), e.key().substring(0, 16), e.what(), Sizes.human(e.bytes()));
      bytes += e.bytes();
    }
    o.println(removed.isEmpty() ? "nothing to remove" : removed.size() + " step(s), "
        + Sizes.human(bytes) + (dryRun ? " would be removed" : " removed"));
    return 0;
  }
}
