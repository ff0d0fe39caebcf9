package dev.kiln.core.matrix;

import dev.kiln.api.BuildResult;
import dev.kiln.api.MachineException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Spreads a matrix over a pool of libvirt hosts. Each entry is placed on a live host that has
 * room and carries its required labels (the least loaded first, ties broken by how many
 * entries each host has taken, so work spreads evenly). An entry runs at most once at a time.
 * When a build fails because its host failed (connection lost, libvirt unreachable, host out
 * of disk) the host is taken out of the pool and the entry is tried on another one; a build
 * that fails on its own (a provisioning command, a bad checksum) is not retried. With
 * fail-fast, the first failure stops placing further entries.
 */
public final class Scheduler {
  /** Words in an error chain that mean the host, not the build, failed. */
  static final List<String> HOST_FAILURES = List.of("cannot connect to libvirt",
      "end of file while reading data", "cannot recv data", "cannot write data",
      "connection reset", "broken pipe", "no space left on device", "connection closed",
      "keepalive", "lost connection", "socket is closed", "libvirt");

  private final List<BuildHost> hosts;
  private final int parallel;
  private final boolean failFast;
  private final EventHandlers events;
  private java.util.function.Predicate<BuildHost> answers = h -> true;

  public Scheduler(List<BuildHost> hosts, int parallel, boolean failFast, EventHandlers events) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("the pool has no hosts");
    }
    this.hosts = List.copyOf(hosts);
    this.parallel = Math.max(1, parallel);
    this.failFast = failFast;
    this.events = events;
  }

  /**
   * How to ask a host whether it still answers, after a build on it failed with an error that
   * does not itself name the host (e.g. the guest's SSH connection, carried through the host,
   * dropped): a host that does not answer failed, and the entry is retried elsewhere.
   */
  public Scheduler hostCheck(java.util.function.Predicate<BuildHost> check) {
    this.answers = java.util.Objects.requireNonNull(check);
    return this;
  }

  /** Runs every entry; returns one result per entry, in the matrix's order. */
  public List<EntryResult> run(List<MatrixEntry> entries, EntryRunner runner)
      throws InterruptedException {
    Set<String> ids = new HashSet<>();
    for (MatrixEntry e : entries) {
      if (!ids.add(e.id())) {
        throw new IllegalArgumentException("matrix entry id " + e.id() + " is used twice");
      }
    }
    Map<String, Integer> load = new HashMap<>();
    Map<String, Integer> taken = new HashMap<>();
    Set<String> down = new HashSet<>();
    Map<MatrixEntry, List<String>> attempts = new LinkedHashMap<>();
    Map<MatrixEntry, EntryResult> done = new LinkedHashMap<>();
    Deque<MatrixEntry> waiting = new ArrayDeque<>(entries);
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    Map<Future<BuildResult>, MatrixEntry> running = new HashMap<>();
    Map<Future<BuildResult>, BuildHost> where = new HashMap<>();
    boolean stop = false;
    try {
      while (!waiting.isEmpty() || !running.isEmpty()) {
        // place what fits
        for (var it = waiting.iterator(); it.hasNext() && running.size() < parallel && !stop;) {
          MatrixEntry e = it.next();
          List<BuildHost> eligible = hosts.stream().filter(h -> !down.contains(h.name()))
              .filter(h -> h.labels().containsAll(e.requiredLabels())).toList();
          if (eligible.isEmpty()) {
            it.remove();
            String why = hosts.stream().anyMatch(h -> h.labels().containsAll(
                e.requiredLabels())) ? "every host that carries " + e.requiredLabels()
                + " failed" : "no host carries the labels " + e.requiredLabels();
            done.put(e, new EntryResult(e, attempts.getOrDefault(e, List.of()),
                Optional.empty(), Optional.of(why), false));
            stop |= failFast;
            continue;
          }
          Optional<BuildHost> free = eligible.stream()
              .filter(h -> load.getOrDefault(h.name(), 0) < h.capacity())
              .min(Comparator.<BuildHost>comparingDouble(h -> (double) load.getOrDefault(
                  h.name(), 0) / h.capacity()).thenComparingInt(h -> taken.getOrDefault(
                  h.name(), 0)).thenComparing(h -> attempts.getOrDefault(e, List.of())
                  .contains(h.name()) ? 1 : 0));
          if (free.isEmpty()) {
            continue;
          }
          BuildHost h = free.get();
          it.remove();
          load.merge(h.name(), 1, Integer::sum);
          taken.merge(h.name(), 1, Integer::sum);
          attempts.computeIfAbsent(e, k -> new ArrayList<>()).add(h.name());
          events.dispatch(new KilnEvent.Warning(e.id(), Instant.now(), "matrix.placed",
              e.id() + " runs on " + h.name() + " (" + h.displayUri() + ")"));
          Future<BuildResult> f = pool.submit(() -> runner.run(e, h));
          running.put(f, e);
          where.put(f, h);
        }
        if (running.isEmpty()) {
          if (stop) {
            break;
          }
          if (!waiting.isEmpty()) {
            continue; // everything left was just found unplaceable
          }
          break;
        }
        // wait for one to end
        Future<BuildResult> ended = null;
        while (ended == null) {
          for (Future<BuildResult> f : running.keySet()) {
            if (f.isDone()) {
              ended = f;
              break;
            }
          }
          if (ended == null) {
            Thread.sleep(200);
          }
        }
        MatrixEntry e = running.remove(ended);
        BuildHost h = where.remove(ended);
        load.merge(h.name(), -1, Integer::sum);
        try {
          done.put(e, new EntryResult(e, attempts.get(e), Optional.of(ended.get()),
              Optional.empty(), false));
        } catch (java.util.concurrent.ExecutionException x) {
          Throwable cause = x.getCause();
          boolean hostFailed = isHostFailure(cause) || !down.contains(h.name())
              && !answers.test(h);
          if (hostFailed && !down.contains(h.name())) {
            down.add(h.name());
            events.dispatch(new KilnEvent.Warning(e.id(), Instant.now(), "matrix.host-down",
                "host " + h.name() + " failed (" + firstLine(cause) + "); retrying " + e.id()
                    + " on another host"));
            waiting.addFirst(e);
          } else if (hostFailed || down.contains(h.name())) {
            waiting.addFirst(e); // the host was already known down: try elsewhere
          } else {
            done.put(e, new EntryResult(e, attempts.get(e), Optional.empty(),
                Optional.of(firstLine(cause)), false));
            stop |= failFast;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    List<EntryResult> out = new ArrayList<>();
    for (MatrixEntry e : entries) {
      out.add(done.getOrDefault(e, new EntryResult(e, attempts.getOrDefault(e, List.of()),
          Optional.empty(), Optional.of("not run (fail-fast)"), true)));
    }
    return out;
  }

  /**
   * Whether an error means the host failed rather than the build: somewhere in its cause
   * chain a machine (libvirt) or I/O error names a lost connection or a full disk. Failures
   * inside the guest (commands, SSH) are the build's own.
   */
  static boolean isHostFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof MachineException || c instanceof java.io.IOException) {
        String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
        if (HOST_FAILURES.stream().anyMatch(m::contains)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String firstLine(Throwable t) {
    String m = String.valueOf(t.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
