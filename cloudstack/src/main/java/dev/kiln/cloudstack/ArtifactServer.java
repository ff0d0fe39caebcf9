package dev.kiln.cloudstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves exactly a build's artifacts over HTTP so CloudStack's secondary storage can download
 * them for URL registration: {@code GET} and {@code HEAD} with Content-Length and single
 * {@code Range} requests, under an unguessable path token; everything else is 404. Bound to the
 * address the user chooses; stopped by {@link #close()}.
 */
public final class ArtifactServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private final HttpServer server;
  private final ExecutorService executor;
  private final String token;
  private final Map<String, Path> files = new LinkedHashMap<>();
  private final URI base;
  private final AtomicLong bytesServed = new AtomicLong();

  private ArtifactServer(HttpServer server, ExecutorService executor, String token, URI base) {
    this.server = server;
    this.executor = executor;
    this.token = token;
    this.base = base;
  }

  /**
   * Starts serving {@code artifacts} on {@code address} (port 0 picks a free port).
   *
   * @param advertisedHost the host name in the URLs handed to CloudStack; the bind address
   *     when empty
   */
  public static ArtifactServer start(InetSocketAddress address, String advertisedHost,
      List<Path> artifacts) throws IOException {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    HttpServer server = HttpServer.create(address, 16);
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "kiln-artifact-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    String host = advertisedHost == null || advertisedHost.isEmpty()
        ? address.getAddress().getHostAddress() : advertisedHost;
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    URI base = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/" + token
        + "/");
    ArtifactServer s = new ArtifactServer(server, executor, token, base);
    for (Path p : artifacts) {
      String name = p.getFileName().toString();
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw new IllegalArgumentException("artifact names must be plain: " + name);
      }
      s.files.put(name, p.toAbsolutePath());
    }
    server.createContext("/", s::handle);
    server.start();
    return s;
  }

  /** The URL of one served artifact. */
  public URI urlOf(Path artifact) {
    String name = artifact.getFileName().toString();
    if (!files.containsKey(name)) {
      throw new IllegalArgumentException("not served: " + name);
    }
    return base.resolve(name);
  }

  /** Bytes sent so far (bodies only). */
  public long bytesServed() {
    return bytesServed.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      String prefix = "/" + token + "/";
      Path file = path.startsWith(prefix) ? files.get(path.substring(prefix.length())) : null;
      if (file == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      long size = Files.size(file);
      long start = 0;
      long end = size - 1;
      int status = 200;
      String range = ex.getRequestHeaders().getFirst("Range");
      if (range != null) {
        Matcher m = RANGE.matcher(range.strip());
        if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
          if (m.group(1).isEmpty()) { // suffix: the last N bytes
            start = Math.max(0, size - Long.parseLong(m.group(2)));
          } else {
            start = Long.parseLong(m.group(1));
            if (!m.group(2).isEmpty()) {
              end = Math.min(end, Long.parseLong(m.group(2)));
            }
          }
          if (start >= size || start > end) {
            ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
            ex.sendResponseHeaders(416, -1);
            return;
          }
          status = 206;
          ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/"
              + size);
        }
      }
      long length = end - start + 1;
      ex.getResponseHeaders().set("Accept-Ranges", "bytes");
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      if (method.equals("HEAD")) {
        ex.getResponseHeaders().set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(status, -1);
        return;
      }
      ex.sendResponseHeaders(status, length);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
          InputStream in = Channels.newInputStream(ch.position(start));
          OutputStream out = ex.getResponseBody()) {
        byte[] buf = new byte[1 << 16];
        long left = length;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          out.write(buf, 0, n);
          left -= n;
          bytesServed.addAndGet(n);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "ArtifactServer[" + base.getScheme() + "://" + base.getAuthority() + "/…]";
  }
}
