package dev.kiln.formats.pack;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * MD5, SHA-256 and SHA-512 (or a chosen subset) of a byte stream, updated as it is written.
 * Large updates feed the digests at once, on two shared threads and the caller's: a digest is
 * sequential, but three of them are three independent jobs, and hashing gigabytes one digest
 * after another would take longer than writing them. Fewer digests cost less CPU: SHA-256
 * alone is what CloudStack's {@code {SHA-256}} registration and {@code SHA256SUMS} need.
 */
public final class Checksums {
  /** The algorithms, in the order they are reported. */
  public static final String[] ALGORITHMS = {"MD5", "SHA-256", "SHA-512"};
  /** Updates this large are worth handing to other threads. */
  private static final int PARALLEL_FROM = 256 << 10;
  /** Two daemon threads, gone after 30 idle seconds: nothing lingers in an embedding JVM. */
  private static final ExecutorService HELPERS = helpers();
  /** Every algorithm, in report order. */
  public static final Set<String> ALL = Set.of(ALGORITHMS);
  private final MessageDigest[] digests;
  private final String[] names;

  /** All three digests. */
  public Checksums() {
    this(ALL);
  }

  /** The digests named in {@code algorithms} (a subset of {@link #ALGORITHMS}; may be empty). */
  public Checksums(Set<String> algorithms) {
    for (String a : algorithms) {
      if (!ALL.contains(a)) {
        throw new IllegalArgumentException("unknown checksum " + a + " (one of "
            + String.join(", ", ALGORITHMS) + ")");
      }
    }
    names = java.util.Arrays.stream(ALGORITHMS).filter(algorithms::contains)
        .toArray(String[]::new);
    digests = new MessageDigest[names.length];
    try {
      for (int i = 0; i < names.length; i++) {
        digests[i] = MessageDigest.getInstance(names[i]);
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks a standard digest", e);
    }
  }

  /**
   * The algorithms a command-line choice names: {@code sha256}, {@code md5}, {@code sha512},
   * {@code all} or {@code none}.
   */
  public static Set<String> choice(String name) {
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "sha256", "sha-256" -> Set.of("SHA-256");
      case "md5" -> Set.of("MD5");
      case "sha512", "sha-512" -> Set.of("SHA-512");
      case "all" -> ALL;
      case "none" -> Set.of();
      default -> throw new IllegalArgumentException("--checksum must be sha256, md5, sha512, "
          + "all or none, not " + name);
    };
  }

  /** Whether no digest is computed. */
  public boolean isEmpty() {
    return digests.length == 0;
  }

  private static ExecutorService helpers() {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "kiln-digest");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Digests {@code b[off..off+len)}; returns when every digest has read it. */
  public void update(byte[] b, int off, int len) {
    if (digests.length < 3 || len < PARALLEL_FROM) {
      for (MessageDigest d : digests) {
        d.update(b, off, len);
      }
      return;
    }
    Future<?> md5 = HELPERS.submit(() -> digests[0].update(b, off, len));
    Future<?> sha512 = HELPERS.submit(() -> digests[2].update(b, off, len));
    digests[1].update(b, off, len);
    await(md5);
    await(sha512);
  }

  /** Waits for a digest task even when interrupted: the caller may reuse the array after. */
  private static void await(Future<?> task) {
    boolean interrupted = false;
    while (true) {
      try {
        task.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        throw new IllegalStateException("a digest failed", e.getCause());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Algorithm name to lower-case hex; call once, at the end. */
  public Map<String, String> finish() {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      out.put(names[i], HexFormat.of().formatHex(digests[i].digest()));
    }
    return out;
  }
}
