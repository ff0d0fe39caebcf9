package dev.kiln.core.stepcache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.formats.io.TemporaryFiles;
import dev.kiln.formats.qcow2.Qcow2Overlay;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The step cache of incremental rebuilds: after each provisioning step, the layer the step
 * wrote (a qcow2 overlay on the previous step's layer; the first on the build's base disk),
 * under a key digesting everything up to and including that step. A rebuild boots from the
 * layer of the longest unchanged prefix and runs only the steps after it.
 *
 * <p>Per entry, in {@code <work root>/cache/steps}: {@code <key>.qcow2} (the layer; its backing
 * file is its parent's layer or the base, by absolute path), {@code <key>.key} (the build key
 * the layer's build user accepts, mode 0600) and {@code <key>.json} (what the entry is), written
 * last: an entry without it is not there. The JSON file's modification time is the entry's last
 * use, for least-recently-used pruning.
 */
public final class StepCache {
  /** The cap a build prunes the cache to when the caller gives none. */
  public static final long DEFAULT_MAX_BYTES = 32L << 30;
  /**
   * Entries older than this are not reused: a step's packages and downloads age (a template
   * built from a week-old layer misses that week's security updates).
   */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final Clock clock;

  /**
   * One cached step.
   *
   * @param parent the key of the step before, empty for the first step (its layer is on
   *     {@code base})
   * @param base the build's base disk at the bottom of the chain
   * @param step the step's number in its recipe (1-based)
   * @param what the step in a few words (no script text: a script may hold a secret)
   * @param bytes the layer's size on disk
   * @param lastUsed when a build last stored or reused it
   */
  public record Entry(String key, Optional<String> parent, Path base, int step, String what,
      String os, String kilnVersion, Instant created, long bytes, Instant lastUsed) {}

  /** What a rebuild boots from: the layer after {@code steps} unchanged steps. */
  public record Hit(int steps, Path layer, String privateKeyText) {
    @Override
    public String toString() { // the key is never printed
      return "Hit[" + steps + " steps, " + layer + "]";
    }
  }

  /** The JSON record of an entry, as written. */
  record Record(String key, String parent, String base, int step, String what, String os,
      String kilnVersion, String created) {}

  private StepCache(Path directory, Clock clock) {
    this.directory = directory;
    this.clock = clock;
  }

  /** The step cache under Kiln's work root ({@code <workRoot>/cache/steps}). */
  public static StepCache under(Path workRoot) {
    return new StepCache(workRoot.resolve("cache").resolve("steps"), Clock.systemUTC());
  }

  /** For tests: a cache directory and clock of the caller's choosing. */
  public static StepCache at(Path directory, Clock clock) {
    return new StepCache(directory, clock);
  }

  public Path directory() {
    return directory;
  }

  /** Where the layer of {@code key} is (or would be). */
  public Path layer(String key) {
    return directory.resolve(checkKey(key) + ".qcow2");
  }

  /** Every committed entry, oldest use first. Unreadable records are skipped. */
  public List<Entry> entries() throws IOException {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(directory, "*.json")) {
      for (Path json : s) {
        read(json).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(Entry::lastUsed));
    return out;
  }

  private Optional<Entry> read(Path json) {
    try {
      Record r = JSON.readValue(json.toFile(), Record.class);
      String name = json.getFileName().toString();
      if (r.key() == null || !name.equals(r.key() + ".json") || r.base() == null) {
        return Optional.empty();
      }
      Path layer = layer(r.key());
      long bytes = Files.size(layer);
      return Optional.of(new Entry(r.key(), Optional.ofNullable(r.parent()), Path.of(r.base()),
          r.step(), r.what(), r.os(), r.kilnVersion(), Instant.parse(r.created()), bytes,
          Files.getLastModifiedTime(json).toInstant()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // half-removed or foreign: not an entry
    }
  }

  /**
   * The longest prefix of {@code keys} (key {@code i} for step {@code i + 1}) whose entries are
   * all here, younger than {@code maxAge}, chained to each other and to {@code base} by their
   * layers' backing files; the entries it uses count as used now.
   */
  public Optional<Hit> longestPrefix(List<String> keys, Path base, Duration maxAge)
      throws IOException {
    Instant oldest = clock.instant().minus(maxAge);
    Path below = base.toAbsolutePath();
    int found = 0;
    for (String key : keys) {
      Optional<Entry> e = read(directory.resolve(checkKey(key) + ".json"));
      if (e.isEmpty() || e.get().created().isBefore(oldest)
          || !below.toString().equals(backingName(layer(key)))) {
        break;
      }
      below = layer(key);
      found++;
    }
    if (found == 0) {
      return Optional.empty();
    }
    for (int i = 0; i < found; i++) {
      touch(keys.get(i));
    }
    String key = keys.get(found - 1);
    return Optional.of(new Hit(found, layer(key), Files.readString(directory.resolve(key
        + ".key"))));
  }

  /**
   * Stores the layer a step left: copies {@code frozenLayer} (a qcow2 overlay, read-only now)
   * and points the copy at its parent's layer, or at {@code base} for the first step.
   */
  public void put(String key, Optional<String> parent, Path base, int step, String what,
      String os, String kilnVersion, Path frozenLayer, String privateKeyText) throws IOException {
    checkKey(key);
    Files.createDirectories(directory);
    Path layer = layer(key);
    // a name of its own: two builds of one machine may store the same step at once
    Path partial = TemporaryFiles.register(directory.resolve(key + ".qcow2."
        + java.util.UUID.randomUUID() + ".partial"));
    try {
      try (FileChannel in = FileChannel.open(frozenLayer);
          FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
        long size = in.size();
        long at = 0;
        while (at < size) {
          at += in.transferTo(at, size - at, out);
        }
        out.force(false);
      }
      Qcow2Overlay.rebase(partial, parent.map(this::layer).orElse(base.toAbsolutePath())
          .toString());
      Files.move(partial, layer, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      TemporaryFiles.delete(partial);
    }
    Path keyFile = directory.resolve(key + ".key");
    Path tmpKey = directory.resolve(key + ".key." + java.util.UUID.randomUUID()
        + ".partial");
    Files.deleteIfExists(tmpKey);
    Files.createFile(tmpKey, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmpKey, privateKeyText);
    Files.move(tmpKey, keyFile, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    Path json = directory.resolve(key + ".json");
    Path tmpJson = directory.resolve(key + ".json." + java.util.UUID.randomUUID()
        + ".partial");
    JSON.writeValue(tmpJson.toFile(), new Record(key, parent.orElse(null),
        base.toAbsolutePath().toString(), step, what, os, kilnVersion,
        clock.instant().toString()));
    Files.move(tmpJson, json, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Removes entries that can never be reused (older than {@code maxAge}, parent or base gone),
   * then the least recently used until the layers take at most {@code maxBytes}; an entry goes
   * with every entry built on it. Entries in {@code keep} (a running build's chain) stay.
   *
   * @return what was (or, for a dry run, would be) removed
   */
  public List<Entry> prune(long maxBytes, Duration maxAge, Set<String> keep, boolean dryRun)
      throws IOException {
    List<Entry> all = entries();
    Map<String, Entry> byKey = new HashMap<>();
    all.forEach(e -> byKey.put(e.key(), e));
    Set<String> doomed = new HashSet<>();
    Instant oldest = clock.instant().minus(maxAge);
    for (Entry e : all) {
      boolean orphan = e.parent().map(p -> !byKey.containsKey(p)).orElse(
          !Files.exists(e.base()));
      if (!keep.contains(e.key()) && (orphan || e.created().isBefore(oldest))) {
        doomed.add(e.key());
      }
    }
    closeOverDescendants(all, doomed, keep);
    long total = all.stream().filter(e -> !doomed.contains(e.key())).mapToLong(Entry::bytes)
        .sum();
    for (Entry e : all) { // oldest use first
      if (total <= maxBytes) {
        break;
      }
      if (doomed.contains(e.key()) || keep.contains(e.key())) {
        continue;
      }
      Set<String> more = new HashSet<>(Set.of(e.key()));
      closeOverDescendants(all, more, keep);
      for (String k : more) {
        if (doomed.add(k)) {
          total -= byKey.get(k).bytes();
        }
      }
    }
    List<Entry> removed = all.stream().filter(e -> doomed.contains(e.key())).toList();
    if (!dryRun) {
      for (Entry e : removed) {
        remove(e.key());
      }
    }
    return removed;
  }

  /** Removes every entry. */
  public List<Entry> clear(boolean dryRun) throws IOException {
    List<Entry> all = entries();
    if (!dryRun) {
      for (Entry e : all) {
        remove(e.key());
      }
    }
    return all;
  }

  /** Adds to {@code set} every entry whose chain runs through one in it (but not kept ones). */
  private static void closeOverDescendants(List<Entry> all, Set<String> set, Set<String> keep) {
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Entry e : all) {
        if (!set.contains(e.key()) && e.parent().isPresent() && set.contains(e.parent().get())
            && !keep.contains(e.key())) {
          set.add(e.key());
          grew = true;
        }
      }
    }
  }

  private void remove(String key) throws IOException {
    // the record first: without it the entry is gone even if the rest cannot be deleted
    Files.deleteIfExists(directory.resolve(key + ".json"));
    Files.deleteIfExists(directory.resolve(key + ".key"));
    Files.deleteIfExists(layer(key));
  }

  private void touch(String key) throws IOException {
    try {
      Files.setLastModifiedTime(directory.resolve(key + ".json"), FileTime.from(
          clock.instant()));
    } catch (NoSuchFileException e) {
      // pruned by another build meanwhile: its layer is open or gone, nothing to mark
    }
  }

  /** The backing file name a layer records, or "" (none, unreadable, not a qcow2 image). */
  static String backingName(Path qcow2) {
    try {
      return Qcow2Overlay.backingName(qcow2).orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  private static String checkKey(String key) {
    if (!key.matches("[0-9a-f]{16,64}")) {
      throw new IllegalArgumentException("not a step cache key: " + key);
    }
    return key;
  }
}
