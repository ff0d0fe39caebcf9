package dev.kiln.core.internal.source;

import dev.kiln.api.Checksum;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.SourceException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.api.event.Stage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Downloads verified by checksum into a content-addressed cache shared by every build on the
 * host ({@code objects/<algorithm>/<hex>}). A file lock per object makes parallel builds
 * download it once; downloads resume from a {@code .partial} with HTTP Range requests, try
 * every mirror URL with retries, and a file enters the cache only when its digest matched. The
 * expected digest comes from the recipe or from the distribution's SUMS file.
 */
public final class ContentCache {
  private final Path root;
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30))
      .build();
  private final int attemptsPerUrl;

  public ContentCache(Path root) {
    this(root, 3);
  }

  ContentCache(Path root, int attemptsPerUrl) {
    this.root = root;
    this.attemptsPerUrl = attemptsPerUrl;
  }

  public Path root() {
    return root;
  }

  /**
   * The verified local file for {@code file}: the recipe's local path, or a cached download.
   *
   * @throws SourceException for a missing checksum, a checksum mismatch, or failed downloads
   *     (naming every URL tried); nothing unverified is ever left in the cache
   */
  public Resolved resolve(RemoteFile file, EventHandlers events, String buildId)
      throws SourceException, InterruptedException {
    Checksum expected = expectedChecksum(file);
    if (file.path().isPresent()) {
      Path local = file.path().get();
      if (!Files.isRegularFile(local)) {
        throw new SourceException("no such file: " + local);
      }
      verify(local, expected, local.toString());
      return new Resolved(local, expected, local.toUri(), Lookup.LOCAL);
    }
    Path object = root.resolve("objects").resolve(expected.algorithm().name().toLowerCase())
        .resolve(expected.hex());
    try {
      Files.createDirectories(object.getParent());
      Files.createDirectories(root.resolve("locks"));
      try (FileChannel lockFile = FileChannel.open(root.resolve("locks").resolve(
              expected.algorithm().name().toLowerCase() + "-" + expected.hex() + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        if (Files.isRegularFile(object)) {
          return new Resolved(object, expected, file.urls().get(0), Lookup.HIT);
        }
        List<String> failures = new ArrayList<>();
        for (URI url : file.urls()) {
          for (int attempt = 1; attempt <= attemptsPerUrl; attempt++) {
            Path partial = object.resolveSibling(expected.hex() + ".partial");
            try {
              download(url, partial, events, buildId);
            } catch (PermanentHttpError e) {
              // the server answered that it has no such file (or refuses it): asking again
              // gives the same answer, so go to the next mirror
              failures.add(url + ": " + e.getMessage() + " (not retried)");
              break;
            } catch (IOException e) {
              failures.add(url + " (attempt " + attempt + " of " + attemptsPerUrl + "): "
                  + describe(e));
              if (attempt < attemptsPerUrl) {
                Thread.sleep(Math.min(1000L << attempt, 10_000));
              }
              continue;
            }
            try {
              verify(partial, expected, url.toString());
            } catch (SourceException e) { // a wrong file is not retried and never cached
              Files.deleteIfExists(partial);
              throw e;
            }
            Files.move(partial, object, StandardCopyOption.ATOMIC_MOVE);
            object.toFile().setReadable(true, false); // QEMU's user reads cached images
            return new Resolved(object, expected, url, Lookup.MISS);
          }
        }
        throw new SourceException("could not download " + fileName(file) + ": "
            + String.join("; ", failures) + "; check the recipe's source URL"
            + (file.urls().size() > 1 ? "s" : "") + " (a mirror that has the file, or a local"
            + " path)");
      }
    } catch (IOException e) {
      throw new SourceException("cache " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * A verified file, where it came from, its checksum, and whether the cache had it.
   *
   * @param lookup {@link Lookup#HIT} when it was cached, {@link Lookup#MISS} when it was
   *     downloaded now, {@link Lookup#LOCAL} for the recipe's own file (no cache involved)
   */
  public record Resolved(Path file, Checksum checksum, URI origin, Lookup lookup) {}

  /** How a file was found. */
  public enum Lookup {
    HIT,
    MISS,
    LOCAL
  }

  private Checksum expectedChecksum(RemoteFile file) throws SourceException,
      InterruptedException {
    if (file.checksum().isPresent()) {
      return file.checksum().get();
    }
    if (file.checksumFile().isEmpty()) {
      throw new SourceException("no checksum for " + (file.urls().isEmpty() ? file.path()
          .map(Path::toString).orElse("?") : file.urls().get(0)) + ": give checksum or a "
          + "checksums file (SHA256SUMS)");
    }
    URI sums = file.checksumFile().get();
    String text;
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(sums).timeout(
          Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString(
          StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        throw new SourceException("checksums file " + sums + ": HTTP " + r.statusCode());
      }
      text = r.body();
    } catch (IOException e) {
      throw new SourceException("checksums file " + sums + ": " + e.getMessage(), e);
    }
    String name = fileName(file);
    return SumsFile.find(text, name).orElseThrow(() -> new SourceException(sums
        + " lists no checksum for " + name));
  }

  private static String fileName(RemoteFile file) {
    if (!file.urls().isEmpty()) {
      String p = file.urls().get(0).getPath();
      return p.substring(p.lastIndexOf('/') + 1);
    }
    return file.path().orElseThrow().getFileName().toString();
  }

  private void download(URI url, Path partial, EventHandlers events, String buildId)
      throws IOException, InterruptedException {
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofHours(2));
    if (have > 0) {
      req.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> r = http.send(req.build(),
        HttpResponse.BodyHandlers.ofInputStream());
    boolean resumed = r.statusCode() == 206;
    if (r.statusCode() != 200 && !resumed) {
      r.body().close();
      int code = r.statusCode();
      if (code >= 400 && code < 500 && code != 408 && code != 429) {
        throw new PermanentHttpError("HTTP " + code + " " + PermanentHttpError.reason(code));
      }
      throw new IOException("HTTP " + code);
    }
    long total = r.headers().firstValueAsLong("Content-Length").orElse(-1)
        + (resumed ? have : 0);
    long done = resumed ? have : 0;
    try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(partial,
        StandardOpenOption.CREATE, resumed ? StandardOpenOption.APPEND
            : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      byte[] buf = new byte[1 << 20];
      int n;
      Instant lastEvent = Instant.EPOCH;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        done += n;
        if (Duration.between(lastEvent, Instant.now()).toMillis() > 500) {
          events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(), Stage.SOURCE,
              "download " + url, done, total));
          lastEvent = Instant.now();
        }
      }
    }
    if (total >= 0 && done != total) {
      throw new IOException("connection ended after " + done + " of " + total + " bytes");
    }
    events.dispatch(new KilnEvent.ByteProgress(buildId, Instant.now(), Stage.SOURCE,
        "download " + url, done, total < 0 ? done : total));
  }

  /** An exception as a sentence: its message, or what it is when it has none. */
  static String describe(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.net.ConnectException) {
      return "connection refused" + (m == null || m.isBlank() ? "" : " (" + m + ")");
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "no answer in time";
    }
    if (e instanceof java.net.UnknownHostException) {
      return "unknown host" + (m == null ? "" : " " + m);
    }
    return m == null || m.isBlank() ? e.getClass().getSimpleName().replaceAll(
        "([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT) : m;
  }

  /** A 4xx answer other than 408/429: the same request would get the same answer. */
  static final class PermanentHttpError extends IOException {
    private static final long serialVersionUID = 1L;

    PermanentHttpError(String message) {
      super(message);
    }

    static String reason(int code) {
      return switch (code) {
        case 401 -> "Unauthorized";
        case 403 -> "Forbidden";
        case 404 -> "Not Found";
        case 410 -> "Gone";
        default -> "Client Error";
      };
    }
  }

  static void verify(Path file, Checksum expected, String origin) throws SourceException {
    try {
      String actual = digest(file, expected.algorithm());
      if (!actual.equals(expected.hex())) {
        throw new SourceException("checksum mismatch for " + origin + ": expected "
            + expected.algorithm() + " " + expected.hex() + ", got " + actual);
      }
    } catch (IOException e) {
      throw new SourceException("reading " + file + ": " + e.getMessage(), e);
    }
  }

  static String digest(Path file, Checksum.Algorithm algorithm) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm.jcaName());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
