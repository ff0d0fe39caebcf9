package dev.kiln.core.internal.recipe;

import dev.kiln.api.Checksum;
import dev.kiln.api.CloudImageSource;
import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.IsoSource;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.Source;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The recipe's {@code source:} section: an ISO, a cloud image or a debootstrap base. */
final class SourceReader {
  private final Problems problems;
  private final LocalFiles localFiles;

  SourceReader(Problems problems, LocalFiles localFiles) {
    this.problems = problems;
    this.localFiles = localFiles;
  }

  Source read(MapReader m) {
    List<String> kinds = m.exactlyOneOf("iso", "cloudImage", "debootstrap");
    Source source = null;
    if (kinds.size() == 1) {
      String kind = kinds.get(0);
      MapReader inner = m.map(kind).orElse(null);
      if (inner != null) {
        source = switch (kind) {
          case "iso" -> {
            RemoteFile iso = readRemoteFile(inner);
            yield iso == null ? null : new IsoSource(iso);
          }
          case "cloudImage" -> {
            RemoteFile image = readRemoteFile(inner);
            yield image == null ? null : new CloudImageSource(image);
          }
          default -> readDebootstrap(inner);
        };
        inner.finish();
      }
    } else {
      // still look inside each so their own problems are reported too
      for (String kind : kinds) {
        m.map(kind).ifPresent(inner -> {
          if (!kind.equals("debootstrap")) {
            readRemoteFile(inner);
          } else {
            readDebootstrap(inner);
          }
          inner.finish();
        });
      }
    }
    m.finish();
    return source;
  }

  /** A {@link RemoteFile}: {@code urls} or {@code path}, with {@code checksum} or {@code checksumFile}. */
  RemoteFile readRemoteFile(MapReader m) {
    List<URI> urls = m.list("urls", (v, path, p) -> readUri(v, path, Set.of("http", "https",
        "file")));
    Optional<Path> path = m.string("path").map(p -> localFiles.resolve(m, "path", p));
    if (m.has("url")) {
      m.problem("url", "use 'urls' (a list of mirrors), e.g. urls: [https://…]");
    }
    m.atMostOneOf("urls", "path");
    if (!m.has("urls") && !m.has("path") && !m.has("url")) {
      problems.add(m.line(), m.column(), m.path(), "needs 'urls' (mirrors) or 'path' (a local file)");
    }
    Optional<Checksum> checksum = m.string("checksum").flatMap(text -> {
      try {
        return Optional.of(Checksum.parse(text));
      } catch (IllegalArgumentException e) {
        m.problem("checksum", e.getMessage());
        return Optional.empty();
      }
    });
    Optional<URI> checksumFile = m.string("checksumFile")
        .map(text -> toUri(m, "checksumFile", text, Set.of("http", "https", "file")));
    m.atMostOneOf("checksum", "checksumFile");
    if (!m.has("checksum") && !m.has("checksumFile") && m.has("urls")) {
      problems.add(m.line(), m.column(), m.path(),
          "a download needs 'checksum' or 'checksumFile' so Kiln can verify it");
    }
    try {
      return new RemoteFile(urls, path, checksum, checksumFile);
    } catch (IllegalArgumentException e) {
      return null; // already reported above
    }
  }

  private DebootstrapSource readDebootstrap(MapReader m) {
    String suite = m.string("suite", "[a-z][a-z0-9-]*", "must be a suite name such as bookworm")
        .orElse("bookworm");
    URI mirror = m.string("mirror").map(t -> toUri(m, "mirror", t, Set.of("http", "https")))
        .orElse(URI.create("http://deb.debian.org/debian"));
    List<String> packages = AnswersReader.packageList(m, "packages");
    return mirror == null ? null : new DebootstrapSource(suite, mirror, packages);
  }

  private URI readUri(YamlNode value, String path, Set<String> schemes) {
    String text = MapReader.readString(value, path, problems);
    if (text == null) {
      return null;
    }
    String problem = uriProblem(text, schemes);
    if (problem != null) {
      problems.add(value.line(), value.column(), path, problem);
      return null;
    }
    return URI.create(text);
  }

  static URI toUri(MapReader m, String key, String text, Set<String> schemes) {
    String problem = uriProblem(text, schemes);
    if (problem != null) {
      m.problem(key, problem);
      return null;
    }
    return URI.create(text);
  }

  private static String uriProblem(String text, Set<String> schemes) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme())) {
        return "expected a URL with scheme " + String.join(" or ", new java.util.TreeSet<>(schemes))
            + ", was '" + text + "'";
      }
      return null;
    } catch (URISyntaxException e) {
      return "not a valid URL: " + e.getMessage();
    }
  }
}
