package dev.kiln.core.internal.pipeline;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal HTTP forward proxy on 127.0.0.1 for the guest's package manager, reached through
 * the build's SSH remote forward (the guest has no other way out). It answers plain-HTTP GET
 * and HEAD requests for an allow-list of mirror hosts only (e.g. deb.debian.org) and refuses
 * everything else, including CONNECT, so a build cannot reach any other address.
 */
public final class PackageProxy implements AutoCloseable {
  private final ServerSocket server;
  private final Set<String> allowedHosts;
  private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
    Thread t = new Thread(r, "kiln-package-proxy");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private PackageProxy(ServerSocket server, Set<String> allowedHosts) {
    this.server = server;
    this.allowedHosts = Set.copyOf(allowedHosts);
  }

  public static PackageProxy start(Set<String> allowedHosts) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
    PackageProxy p = new PackageProxy(s, allowedHosts);
    Thread accept = new Thread(p::acceptLoop, "kiln-package-proxy-accept");
    accept.setDaemon(true);
    accept.start();
    return p;
  }

  public int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket c = server.accept();
        pool.submit(() -> serve(c));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      client.setSoTimeout(120_000);
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) { // keep-alive: apt sends many requests on one connection
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        String[] parts = requestLine.split(" ");
        boolean close = false;
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
          if (line.toLowerCase(Locale.ROOT).startsWith("connection:")
              && line.toLowerCase(Locale.ROOT).contains("close")) {
            close = true;
          }
        }
        if (parts.length != 3 || !(parts[0].equals("GET") || parts[0].equals("HEAD"))) {
          respond(out, 405, "only GET and HEAD of allowed mirrors");
          return;
        }
        URI uri;
        try {
          uri = URI.create(parts[1]);
        } catch (IllegalArgumentException e) {
          respond(out, 400, "bad request URI");
          return;
        }
        if (!"http".equals(uri.getScheme()) || uri.getHost() == null
            || !allowedHosts.contains(uri.getHost().toLowerCase(Locale.ROOT))
            || uri.getPort() != -1 && uri.getPort() != 80) {
          respond(out, 403, "Kiln's package proxy only reaches " + allowedHosts);
          continue;
        }
        forward(parts[0], uri, out);
        if (close) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    }
  }

  private void forward(String method, URI uri, OutputStream out) throws IOException,
      InterruptedException {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri)
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(10))
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = r.body()) {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      head.writeBytes(("HTTP/1.1 " + r.statusCode() + " X\r\n").getBytes(
          StandardCharsets.US_ASCII));
      for (String h : new String[] {"content-type", "last-modified", "etag", "location"}) {
        r.headers().firstValue(h).ifPresent(v -> head.writeBytes((h + ": " + v + "\r\n")
            .getBytes(StandardCharsets.US_ASCII)));
      }
      long known = r.headers().firstValueAsLong("content-length").orElse(-1);
      if (method.equals("HEAD") || known >= 0) { // streamed: packages can be large
        head.writeBytes(("Content-Length: " + Math.max(known, 0) + "\r\n\r\n").getBytes(
            StandardCharsets.US_ASCII));
        out.write(head.toByteArray());
        if (!method.equals("HEAD")) {
          body.transferTo(out);
        }
      } else {
        byte[] content = body.readAllBytes();
        head.writeBytes(("Content-Length: " + content.length + "\r\n\r\n").getBytes(
            StandardCharsets.US_ASCII));
        out.write(head.toByteArray());
        out.write(content);
      }
      out.flush();
    }
  }

  private static void respond(OutputStream out, int status, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + " Refused\r\nContent-Type: text/plain\r\nContent-Length: "
        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
      if (b.size() > 16384) {
        throw new IOException("header line too long");
      }
    }
    return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    pool.shutdownNow();
  }
}
