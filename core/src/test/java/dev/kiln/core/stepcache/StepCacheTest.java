package dev.kiln.core.stepcache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache's files judged by qemu-img and qemu-io (QEMU's own reading of a qcow2 chain): the
 * layers a machine froze are written by qemu-img here, as QEMU's snapshot writes them, and the
 * cached copies must read back as the same disk through the cache's own chain.
 */
@org.junit.jupiter.api.Tag("validator")
class StepCacheTest {
  static final String K1 = "1".repeat(64);
  static final String K2 = "2".repeat(64);
  static final String K3 = "3".repeat(64);

  @TempDir
  Path dir;
  Path base;
  Instant now = Instant.parse("2026-12-06T12:00:00Z");

  StepCache cache() {
    return StepCache.at(dir.resolve("steps"), Clock.fixed(now, ZoneOffset.UTC));
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }

  @BeforeEach
  void base() throws Exception {
    base = dir.resolve("base.qcow2");
    run("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "64M");
    run("qemu-io", "-c", "write -P 0x11 0 1M", base.toString());
  }

  /** A machine's chain: base ← layer1 (step 1 wrote 0x22 at 1 MiB) ← layer2 (0x33 at 2 MiB). */
  Path[] machineLayers() throws Exception {
    Path m = Files.createDirectories(dir.resolve("machine"));
    Path l1 = m.resolve("disk0.qcow2");
    Path l2 = m.resolve("disk0-layer0.qcow2");
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.toString(), "-F", "qcow2",
        l1.toString());
    run("qemu-io", "-c", "write -P 0x22 1M 1M", l1.toString());
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", l1.toString(), "-F", "qcow2",
        l2.toString());
    run("qemu-io", "-c", "write -P 0x33 2M 1M", l2.toString());
    return new Path[] {l1, l2};
  }

  @Test
  void cachedLayersChainToEachOtherAndReadAsTheMachinesDisk() throws Exception {
    Path[] layers = machineLayers();
    StepCache c = cache();
    c.put(K1, Optional.empty(), base, 1, "shell (inline)", "debian-12", "test", layers[0], "K");
    c.put(K2, Optional.of(K1), base, 2, "reboot", "debian-12", "test", layers[1], "K");
    // the machine's files go away with the machine: the cache must not need them
    Files.move(layers[0], dir.resolve("gone1"));
    String chain = run("qemu-img", "info", "--backing-chain", c.layer(K2).toString());
    assertThat(chain).contains("image: " + c.layer(K2), "image: " + c.layer(K1),
        "image: " + base).doesNotContain("machine/");
    run("qemu-img", "check", c.layer(K2).toString());
    // the same bytes as the machine's chain at that moment (0x11, 0x22, 0x33 in place)
    run("qemu-io", "-r", "-c", "read -P 0x11 0 1M", "-c", "read -P 0x22 1M 1M",
        "-c", "read -P 0x33 2M 1M", c.layer(K2).toString());
    Optional<StepCache.Hit> hit = c.longestPrefix(List.of(K1, K2, K3), base,
        Duration.ofDays(7));
    assertThat(hit).hasValueSatisfying(h -> {
      assertThat(h.steps()).isEqualTo(2);
      assertThat(h.layer()).isEqualTo(c.layer(K2));
      assertThat(h.privateKeyText()).isEqualTo("K");
    });
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(c.directory().resolve(K2 + ".key")))).isEqualTo("rw-------");
    try (var s = Files.list(c.directory())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }
  }

  @Test
  void aPrefixStopsAtAMissingOldOrMisChainedLayer() throws Exception {
    Path[] layers = machineLayers();
    StepCache c = cache();
    c.put(K1, Optional.empty(), base, 1, "a", "os", "v", layers[0], "K");
    c.put(K2, Optional.of(K1), base, 2, "b", "os", "v", layers[1], "K");
    // another base at the bottom: nothing of this chain is its prefix
    assertThat(c.longestPrefix(List.of(K1, K2), dir.resolve("other.qcow2"),
        Duration.ofDays(7))).isEmpty();
    // a week later nothing is reused: a step's packages age
    now = now.plus(Duration.ofDays(8));
    assertThat(cache().longestPrefix(List.of(K1, K2), base, Duration.ofDays(7))).isEmpty();
    now = now.minus(Duration.ofDays(8));
    // the first layer's record gone: the second cannot be reached
    Files.delete(c.directory().resolve(K1 + ".json"));
    assertThat(c.longestPrefix(List.of(K1, K2), base, Duration.ofDays(7))).isEmpty();
  }

  @Test
  void pruneDropsOrphansAndTheLeastRecentlyUsedWithWhatIsBuiltOnIt() throws Exception {
    Path[] layers = machineLayers();
    StepCache c = cache();
    c.put(K1, Optional.empty(), base, 1, "a", "os", "v", layers[0], "K");
    c.put(K2, Optional.of(K1), base, 2, "b", "os", "v", layers[1], "K");
    now = now.plusSeconds(60);
    String other = "4".repeat(64);
    cache().put(other, Optional.empty(), base, 1, "c", "os", "v", layers[0], "K");
    long one = Files.size(cache().layer(other));
    // room for one chain's worth: the older chain goes, its second step with its first
    List<StepCache.Entry> removed = cache().prune(one, Duration.ofDays(7), Set.of(), false);
    assertThat(removed).extracting(StepCache.Entry::key).containsExactlyInAnyOrder(K1, K2);
    assertThat(cache().entries()).extracting(StepCache.Entry::key).containsExactly(other);
    // a kept key stays whatever the cap
    assertThat(cache().prune(0, Duration.ofDays(7), Set.of(other), false)).isEmpty();
    // its base gone: it can never be booted, and goes
    Files.delete(base);
    assertThat(cache().prune(1L << 40, Duration.ofDays(7), Set.of(), true))
        .extracting(StepCache.Entry::key).containsExactly(other);
    assertThat(cache().entries()).hasSize(1); // a dry run
    assertThat(cache().clear(false)).hasSize(1);
    try (var s = Files.list(c.directory())) {
      assertThat(s).isEmpty();
    }
  }
}
