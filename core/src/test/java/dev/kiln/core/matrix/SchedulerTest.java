package dev.kiln.core.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.api.BuildFailedException;
import dev.kiln.api.BuildResult;
import dev.kiln.api.IsoSource;
import dev.kiln.api.MachineException;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Recipe;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The scheduler's decisions with fake hosts and builds (no libvirt involved). */
class SchedulerTest {
  static final Recipe RECIPE = Recipe.builder(new OsSelection("debian", "12"), new IsoSource(
      new RemoteFile(List.of(), Optional.of(Path.of("/x.iso")), Optional.empty(),
          Optional.empty()))).build();

  static BuildHost host(String name, int capacity, String... labels) {
    return new BuildHost(name, URI.create("qemu+ssh://root@" + name + "/system?keyfile=/k"),
        capacity, Set.of(labels));
  }

  static MatrixEntry entry(String id, String... labels) {
    return new MatrixEntry(id, RECIPE, Set.of(labels));
  }

  static BuildResult ok(MatrixEntry e) {
    return new BuildResult(e.id(), List.of(), Map.of(), Path.of("m.json"), List.of(), false);
  }

  /** A runner that records placements and concurrency, sleeping a little per build. */
  static class Recorder implements EntryRunner {
    final Map<String, List<String>> placements = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> hostLoad = new ConcurrentHashMap<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final Map<String, Integer> capacity;

    Recorder(List<BuildHost> hosts) {
      capacity = new ConcurrentHashMap<>();
      hosts.forEach(h -> capacity.put(h.name(), h.capacity()));
    }

    @Override
    public BuildResult run(MatrixEntry e, BuildHost h) throws Exception {
      placements.computeIfAbsent(e.id(), k -> new CopyOnWriteArrayList<>()).add(h.name());
      if (running.computeIfAbsent(e.id(), k -> new AtomicInteger()).incrementAndGet() > 1) {
        violations.add(e.id() + " ran twice at once");
      }
      if (hostLoad.computeIfAbsent(h.name(), k -> new AtomicInteger()).incrementAndGet()
          > capacity.get(h.name())) {
        violations.add(h.name() + " over capacity");
      }
      try {
        Thread.sleep(50);
        return outcome(e, h);
      } finally {
        running.get(e.id()).decrementAndGet();
        hostLoad.get(h.name()).decrementAndGet();
      }
    }

    BuildResult outcome(MatrixEntry e, BuildHost h) throws Exception {
      return ok(e);
    }
  }

  @Test
  void spreadsFairlyWithinCapacity() throws Exception {
    List<BuildHost> hosts = List.of(host("a", 1), host("b", 2));
    Recorder r = new Recorder(hosts);
    List<MatrixEntry> entries = List.of(entry("e1"), entry("e2"), entry("e3"), entry("e4"),
        entry("e5"), entry("e6"));
    List<EntryResult> results = new Scheduler(hosts, 3, false, EventHandlers.NONE)
        .run(entries, r);
    assertThat(results).allMatch(EntryResult::succeeded);
    assertThat(results).extracting(x -> x.entry().id()).containsExactly("e1", "e2", "e3", "e4",
        "e5", "e6");
    assertThat(r.violations).isEmpty();
    long onA = r.placements.values().stream().filter(p -> p.get(0).equals("a")).count();
    // spread over both hosts, each within its capacity (exact shares depend on finishing order)
    assertThat(onA).isBetween(1L, 4L);
  }

  @Test
  void labelsChooseTheHost() throws Exception {
    List<BuildHost> hosts = List.of(host("plain", 2), host("uefi-box", 1, "uefi", "kvm"));
    Recorder r = new Recorder(hosts);
    List<EntryResult> results = new Scheduler(hosts, 2, false, EventHandlers.NONE).run(
        List.of(entry("needs-uefi", "uefi"), entry("any"), entry("needs-arm", "arch=aarch64")),
        r);
    assertThat(r.placements.get("needs-uefi")).containsExactly("uefi-box");
    assertThat(results.get(2).succeeded()).isFalse();
    assertThat(results.get(2).error()).hasValueSatisfying(m -> assertThat(m).contains(
        "no host carries the labels [arch=aarch64]"));
  }

  @Test
  void aHostThatDiesIsLeftAndItsBuildRetriedElsewhere() throws Exception {
    List<BuildHost> hosts = List.of(host("flaky", 1), host("steady", 1));
    List<KilnEvent> events = new CopyOnWriteArrayList<>();
    Recorder r = new Recorder(hosts) {
      @Override
      BuildResult outcome(MatrixEntry e, BuildHost h) throws Exception {
        if (h.name().equals("flaky")) {
          throw new BuildFailedException(Stage.EXPORT, "copying the disk failed", List.of(),
              new MachineException("copying disk 0: cannot recv data: Connection reset by "
                  + "peer"));
        }
        return ok(e);
      }
    };
    List<EntryResult> results = new Scheduler(hosts, 2, false, EventHandlers.builder()
        .addAll(events::add).build()).run(List.of(entry("x"), entry("y"), entry("z")), r);
    assertThat(results).allMatch(EntryResult::succeeded);
    assertThat(results).anyMatch(x -> x.hosts().equals(List.of("flaky", "steady")));
    assertThat(r.placements.values().stream().filter(p -> p.contains("flaky")).count())
        .isEqualTo(1); // once down, never used again
    assertThat(events).anyMatch(e -> e instanceof KilnEvent.Warning w
        && w.code().equals("matrix.host-down"));
    assertThat(r.violations).isEmpty();
  }

  @Test
  void aFailingBuildIsNotRetriedAndFailFastStopsTheRest() throws Exception {
    List<BuildHost> hosts = List.of(host("a", 1));
    AtomicInteger runs = new AtomicInteger();
    Recorder r = new Recorder(hosts) {
      @Override
      BuildResult outcome(MatrixEntry e, BuildHost h) throws Exception {
        runs.incrementAndGet();
        if (e.id().equals("bad")) {
          throw new BuildFailedException(Stage.PROVISION, "provision step 1 failed with exit "
              + "code 7", List.of(), null);
        }
        return ok(e);
      }
    };
    List<EntryResult> carryOn = new Scheduler(hosts, 1, false, EventHandlers.NONE).run(
        List.of(entry("bad"), entry("good")), r);
    assertThat(carryOn.get(0).error()).hasValueSatisfying(m -> assertThat(m).contains(
        "exit code 7"));
    assertThat(carryOn.get(1).succeeded()).isTrue();
    assertThat(runs.get()).isEqualTo(2);
    runs.set(0);
    List<EntryResult> fast = new Scheduler(hosts, 1, true, EventHandlers.NONE).run(
        List.of(entry("bad"), entry("good")), r);
    assertThat(runs.get()).isEqualTo(1);
    assertThat(fast.get(1).skipped()).isTrue();
  }

  @Test
  void aGuestConnectionLostWithItsHostRetriesOnlyWhenTheHostNoLongerAnswers() throws Exception {
    // the guest's SSH runs through the host: its loss names no host, so the host is asked
    List<BuildHost> hosts = List.of(host("gone", 1), host("alive", 1));
    Recorder r = new Recorder(hosts) {
      @Override
      BuildResult outcome(MatrixEntry e, BuildHost h) throws Exception {
        if (h.name().equals("gone") || e.id().equals("own-fault")) {
          throw new BuildFailedException(Stage.PROVISION, "x", List.of(),
              new dev.kiln.api.CommunicatorException("connection to kiln@guest lost"));
        }
        return ok(e);
      }
    };
    List<String> asked = new CopyOnWriteArrayList<>();
    List<EntryResult> results = new Scheduler(hosts, 1, false, EventHandlers.NONE)
        .hostCheck(h -> {
          asked.add(h.name());
          return !h.name().equals("gone");
        }).run(List.of(entry("first"), entry("own-fault")), r);
    assertThat(results.get(0).succeeded()).isTrue();
    assertThat(results.get(0).hosts()).containsExactly("gone", "alive");
    // the same error on a host that still answers is the build's own: not retried
    assertThat(results.get(1).succeeded()).isFalse();
    assertThat(results.get(1).hosts()).containsExactly("alive");
    assertThat(asked).containsExactly("gone", "alive");
  }

  @Test
  void hostFailuresAreToldFromBuildFailures() {
    assertThat(Scheduler.isHostFailure(new BuildFailedException(Stage.CONNECT, "x", List.of(),
        new MachineException("cannot connect to libvirt at qemu+ssh://h/system")))).isTrue();
    assertThat(Scheduler.isHostFailure(new BuildFailedException(Stage.PROVISION, "x",
        List.of(), new dev.kiln.api.CommunicatorException("connection to kiln@h lost while "
        + "'apt-get' ran")))).isFalse();
  }
}
