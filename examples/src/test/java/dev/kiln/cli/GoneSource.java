package dev.kiln.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server that answers 404 to everything, and a recipe whose cloud image is
 * there: a real build that fails in its source stage, without a VM.
 */
final class GoneSource implements AutoCloseable {
  private final HttpServer http;
  final AtomicInteger requests = new AtomicInteger();

  private GoneSource(HttpServer http) {
    this.http = http;
  }

  static GoneSource start() throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    GoneSource s = new GoneSource(http);
    http.createContext("/", ex -> {
      s.requests.incrementAndGet();
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    http.start();
    return s;
  }

  /** The URL of {@code file} on this server (which it does not have). */
  String url(String file) {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/" + file;
  }

  /** {@code dir/recipe.yaml}: Debian 12 from {@link #url}{@code (file)}, one qcow2 output. */
  Path recipe(Path dir, String file) throws IOException {
    return Files.writeString(dir.resolve("recipe.yaml"), String.join("\n", "name: gone",
        "os: {id: debian, version: \"12\"}", "source:", "  cloudImage:", "    urls: ["
        + url(file) + "]", "    checksum: sha256:" + "ab".repeat(32), "outputs:",
        "  - {hypervisor: kvm, format: qcow2}", ""));
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
