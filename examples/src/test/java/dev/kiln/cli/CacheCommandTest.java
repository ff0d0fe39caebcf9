package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.core.stepcache.StepCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln cache ls|prune|clear} on a cache holding a real two-step chain (layers made by
 * qemu-img over a qemu-img base), as a user types them.
 */
@Tag("validator")
class CacheCommandTest {
  static final String K1 = "a1".repeat(32);
  static final String K2 = "b2".repeat(32);

  @TempDir
  Path dir;

  static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  void twoSteps() throws Exception {
    Path base = dir.resolve("base.qcow2");
    Path l1 = dir.resolve("l1.qcow2");
    Path l2 = dir.resolve("l2.qcow2");
    run("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "64M");
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2",
        l1.toString());
    run("qemu-io", "-c", "write -P 0x22 0 2M", l1.toString());
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", l1.toString(), "-F", "qcow2",
        l2.toString());
    StepCache c = StepCache.under(dir.resolve("work"));
    c.put(K1, Optional.empty(), base, 1, "packages nginx-light jq", "debian-12", "t", l1, "K");
    c.put(K2, Optional.of(K1), base, 2, "shell (inline)", "debian-12", "t", l2, "K");
  }

  String[] args(String... a) {
    List<String> all = new java.util.ArrayList<>(List.of("cache"));
    all.addAll(List.of(a));
    all.addAll(List.of("--work-root", dir.resolve("work").toString()));
    return all.toArray(String[]::new);
  }

  @Test
  void lsListsEveryStepAndPruneAndClearRemoveThem() throws Exception {
    CliTest.Run empty = CliTest.kiln(args("ls"));
    assertThat(empty.exit()).isZero();
    assertThat(empty.out()).contains("the step cache is empty");
    twoSteps();
    CliTest.Run ls = CliTest.kiln(args("ls"));
    assertThat(ls.exit()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("KEY", "STEP", K1.substring(0, 16), K2.substring(0, 16),
        "packages nginx-light jq", "debian-12", "2 step(s)");
    assertThat(ls.out()).doesNotContain(K1.substring(0, 17)); // keys shortened, never the key file
    // the base gone: neither step can be booted; a dry run only lists them
    Files.delete(dir.resolve("base.qcow2"));
    CliTest.Run dry = CliTest.kiln(args("prune", "-n"));
    assertThat(dry.out()).contains("would remove step 1", "would remove step 2");
    assertThat(StepCache.under(dir.resolve("work")).entries()).hasSize(2);
    CliTest.Run prune = CliTest.kiln(args("prune"));
    assertThat(prune.exit()).isZero();
    assertThat(prune.out()).contains("2 step(s)", "removed");
    assertThat(StepCache.under(dir.resolve("work")).entries()).isEmpty();
    CliTest.Run bad = CliTest.kiln(args("prune", "--max-gib", "-1"));
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err().strip()).isEqualTo("kiln cache prune: --max-gib and --max-age-days "
        + "cannot be negative");
    CliTest.Run clear = CliTest.kiln(args("clear"));
    assertThat(clear.out()).contains("nothing to remove");
    CliTest.Run help = CliTest.kiln("cache", "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("ls", "prune", "clear");
  }
}
