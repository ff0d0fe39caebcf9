package dev.kiln.core.internal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kiln.api.Checksum;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.SourceException;
import dev.kiln.api.event.EventHandlers;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads into the content-addressed cache from a real HTTP server on loopback: checksums
 * from SUMS files (GNU, BSD, clear-signed), resume after a cut connection, mirror fallback,
 * and a wrong checksum that leaves nothing behind. Digests are computed by sha256sum.
 */
class ContentCacheTest {
  @TempDir Path dir;
  HttpServer server;
  byte[] image = new byte[5 << 20];
  AtomicInteger requests = new AtomicInteger();
  volatile int cutAfter = -1; // the first GET stops after this many bytes
  volatile String lastRange;

  @BeforeEach
  void start() throws Exception {
    new Random(5).nextBytes(image);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/mirror/", ex -> {
      requests.incrementAndGet();
      String path = ex.getRequestURI().getPath();
      if (path.endsWith("SHA256SUMS")) {
        byte[] body = (sha256(image) + "  debian-12-genericcloud-amd64.qcow2\n"
            + "0000000000000000000000000000000000000000000000000000000000000000  other.img\n")
            .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
        return;
      }
      String range = ex.getRequestHeaders().getFirst("Range");
      lastRange = range;
      int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
      int len = image.length - from;
      if (range != null) {
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (image.length - 1)
            + "/" + image.length);
      }
      ex.sendResponseHeaders(range == null ? 200 : 206, len);
      try (OutputStream o = ex.getResponseBody()) {
        int cut = cutAfter;
        if (cut > 0) {
          cutAfter = -1;
          o.write(image, from, cut);
          o.flush();
          ex.getHttpContext().getServer(); // keep the exchange open, then drop it
          throw new java.io.IOException("cut");
        }
        o.write(image, from, len);
      }
    });
    server.createContext("/missing/", ex -> {
      requests.incrementAndGet();
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.createContext("/broken/", ex -> {
      requests.incrementAndGet();
      ex.sendResponseHeaders(503, -1);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void downloadsOnceVerifiedBySumsFileThroughAMirrorList() throws Exception {
    ContentCache cache = new ContentCache(dir.resolve("cache"), 2);
    RemoteFile file = new RemoteFile(List.of(url("/broken/debian-12-genericcloud-amd64.qcow2"),
        url("/mirror/debian-12-genericcloud-amd64.qcow2")), Optional.empty(), Optional.empty(),
        Optional.of(url("/mirror/SHA256SUMS")));
    ContentCache.Resolved r = cache.resolve(file, EventHandlers.NONE, "b");
    assertThat(Files.readAllBytes(r.file())).isEqualTo(image);
    Process p = new ProcessBuilder("sha256sum", r.file().toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out).startsWith(r.checksum().hex());
    int before = requests.get();
    ContentCache.Resolved again = cache.resolve(file, EventHandlers.NONE, "b");
    assertThat(again.file()).isEqualTo(r.file());
    assertThat(requests.get() - before).isEqualTo(1); // only the SUMS file, no download
  }

  @Test
  void aCutConnectionResumesWithARangeRequest() throws Exception {
    cutAfter = 2 << 20;
    ContentCache cache = new ContentCache(dir.resolve("cache"), 3);
    RemoteFile file = new RemoteFile(List.of(url("/mirror/disk.qcow2")), Optional.empty(),
        Optional.of(new Checksum(Checksum.Algorithm.SHA256, sha256(image))), Optional.empty());
    ContentCache.Resolved r = cache.resolve(file, EventHandlers.NONE, "b");
    assertThat(Files.readAllBytes(r.file())).isEqualTo(image);
    // resumed from what had arrived before the cut (bytes in flight may be lost with it)
    assertThat(lastRange).matches("bytes=\\d+-");
    long from = Long.parseLong(lastRange.replaceAll("\\D", ""));
    assertThat(from).isPositive().isLessThanOrEqualTo(2 << 20);
  }

  @Test
  void aWrongChecksumIsRefusedAndNothingIsKept() {
    ContentCache cache = new ContentCache(dir.resolve("cache"), 3);
    String wrong = "ab".repeat(32);
    RemoteFile file = new RemoteFile(List.of(url("/mirror/disk.qcow2")), Optional.empty(),
        Optional.of(new Checksum(Checksum.Algorithm.SHA256, wrong)), Optional.empty());
    assertThatThrownBy(() -> cache.resolve(file, EventHandlers.NONE, "b"))
        .isInstanceOf(SourceException.class).hasMessageContaining("checksum mismatch")
        .hasMessageContaining(wrong).hasMessageContaining(sha256(image));
    assertThat(requests.get()).isEqualTo(1); // not retried
    assertThat(dir.resolve("cache/objects/sha256").toFile().list()).isEmpty();
  }

  @Test
  void aMissingFileIsNotAskedForAgainAndTheMessageNamesStatusUrlAndWhatToDo() {
    ContentCache cache = new ContentCache(dir.resolve("cache"), 3);
    RemoteFile file = new RemoteFile(List.of(url("/missing/disk.qcow2"),
        url("/broken/disk.qcow2")), Optional.empty(), Optional.of(new Checksum(
            Checksum.Algorithm.SHA256, sha256(image))), Optional.empty());
    assertThatThrownBy(() -> cache.resolve(file, EventHandlers.NONE, "b"))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("could not download disk.qcow2: " + url("/missing/disk.qcow2")
            + ": HTTP 404 Not Found (not retried)")
        // a 503 is transient: retried, each attempt counted
        .hasMessageContaining(url("/broken/disk.qcow2") + " (attempt 3 of 3): HTTP 503")
        .hasMessageContaining("check the recipe's source URLs")
        .hasMessageNotContaining("null");
    assertThat(requests.get()).isEqualTo(1 + 3);
  }

  @Test
  void aServerThatIsNotThereIsDescribedNotNull() {
    server.stop(0);
    ContentCache cache = new ContentCache(dir.resolve("cache"), 1);
    RemoteFile file = new RemoteFile(List.of(url("/mirror/disk.qcow2")), Optional.empty(),
        Optional.of(new Checksum(Checksum.Algorithm.SHA256, sha256(image))), Optional.empty());
    assertThatThrownBy(() -> cache.resolve(file, EventHandlers.NONE, "b"))
        .isInstanceOf(SourceException.class).hasMessageContaining("connection refused")
        .hasMessageNotContaining("null");
  }

  @Test
  void sumsFilesInEveryDistributionsStyle() {
    String hex = "9f".repeat(32);
    assertThat(SumsFile.find(hex + " *Fedora-Server-dvd-x86_64-42-1.1.iso\n",
        "Fedora-Server-dvd-x86_64-42-1.1.iso")).hasValueSatisfying(c -> assertThat(c.hex())
        .isEqualTo(hex));
    assertThat(SumsFile.find("# AlmaLinux\nSHA256 (AlmaLinux-9.6-x86_64-dvd.iso) = " + hex
        + "\n", "AlmaLinux-9.6-x86_64-dvd.iso")).isPresent();
    String signed = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + "ab".repeat(64)
        + "  debian-13.2.0-amd64-netinst.iso\n-----BEGIN PGP SIGNATURE-----\n\nxyz\n"
        + "-----END PGP SIGNATURE-----\n";
    assertThat(SumsFile.find(signed, "debian-13.2.0-amd64-netinst.iso")).hasValueSatisfying(
        c -> assertThat(c.algorithm()).isEqualTo(Checksum.Algorithm.SHA512));
    assertThat(SumsFile.find(signed, "other.iso")).isEmpty();
  }
}
