package dev.kiln.cloudstack.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A multipart/form-data body with one file part, of known length so the request carries a
 * real Content-Length (CloudStack's upload endpoint refuses chunked encoding).
 */
public final class Multipart {
  private final String boundary;
  private final HttpRequest.BodyPublisher publisher;

  private Multipart(String boundary, HttpRequest.BodyPublisher publisher) {
    this.boundary = boundary;
    this.publisher = publisher;
  }

  public static Multipart ofFile(String field, String fileName, Path file, LongConsumer progress)
      throws IOException {
    if (!fileName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,200}")) {
      throw new IllegalArgumentException("upload file name must be plain: " + fileName);
    }
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String boundary = "kiln-" + HexFormat.of().formatHex(random);
    byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field
        + "\"; filename=\"" + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    long size = Files.size(file);
    long length = head.length + size + tail.length;
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(() -> {
          try {
            return new java.io.SequenceInputStream(java.util.Collections.enumeration(List.of(
                new java.io.ByteArrayInputStream(head), counting(Files.newInputStream(file),
                    progress), new java.io.ByteArrayInputStream(tail))));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }), length);
    return new Multipart(boundary, body);
  }

  private static InputStream counting(InputStream in, LongConsumer progress) {
    return new FilterInputStream(in) {
      private long done;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          done += n;
          progress.accept(done);
        }
        return n;
      }
    };
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  public HttpRequest.BodyPublisher publisher() {
    return publisher;
  }
}
