package dev.kiln.kvm.internal;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How Kiln reaches a remote libvirt host's loopback, where QEMU forwards the build guest's SSH
 * port: an SSH login to that host. For {@code qemu+ssh} (and {@code +libssh}, {@code +libssh2})
 * it is the URI's own user, host, port, {@code keyfile} and {@code known_hosts}; any URI may
 * name it instead with Kiln's parameter {@code kiln-ssh=[user@]host[:port]} (for
 * {@code qemu+tls} hosts; a matrix host's {@code ssh:}), which is removed before libvirt sees
 * the URI.
 *
 * @param knownHosts the file the host's key must be in (never trusted blindly)
 */
public record SshRoute(String user, String host, int port, List<Path> identities, Path knownHosts) {
  /** Kiln's own URI parameter naming the SSH endpoint of a host. */
  static final String PARAMETER = "kiln-ssh";

  static final List<String> SSH_TRANSPORTS = List.of("ssh", "libssh", "libssh2");

  /**
   * The route for {@code libvirtUri}: empty for a local URI.
   *
   * @throws IllegalArgumentException for a remote URI with no SSH transport and no
   *     {@code kiln-ssh} parameter (its guests cannot be reached)
   */
  public static Optional<SshRoute> of(URI libvirtUri) {
    Map<String, String> params = parameters(libvirtUri);
    String home = System.getProperty("user.home");
    Path knownHosts = Path.of(params.getOrDefault("known_hosts", home + "/.ssh/known_hosts"));
    List<Path> identities = params.containsKey("keyfile")
        ? List.of(Path.of(params.get("keyfile")))
        : defaultIdentities(Path.of(home, ".ssh"));
    String endpoint = params.get(PARAMETER);
    if (endpoint != null) {
      String user = System.getProperty("user.name");
      int at = endpoint.lastIndexOf('@');
      if (at >= 0) {
        user = endpoint.substring(0, at);
        endpoint = endpoint.substring(at + 1);
      }
      int port = 22;
      int colon = endpoint.lastIndexOf(':');
      if (colon >= 0 && endpoint.indexOf(']') < colon) {
        try {
          port = Integer.parseInt(endpoint.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(PARAMETER + "=" + params.get(PARAMETER)
              + ": the port after ':' must be a number");
        }
        endpoint = endpoint.substring(0, colon);
      }
      if (endpoint.isEmpty()) {
        throw new IllegalArgumentException(PARAMETER + " names no host");
      }
      return Optional.of(new SshRoute(user, endpoint.replace("[", "").replace("]", ""), port,
          identities, knownHosts));
    }
    if (LibvirtConnections.isLocalUri(libvirtUri)) {
      return Optional.empty();
    }
    String scheme = libvirtUri.getScheme().toLowerCase(Locale.ROOT);
    String transport = scheme.contains("+") ? scheme.substring(scheme.indexOf('+') + 1) : "tls";
    if (!SSH_TRANSPORTS.contains(transport)) {
      throw new IllegalArgumentException("guests on " + withoutKilnParameters(libvirtUri)
          + " are reached through SSH, which a '" + transport + "' URI does not give: add "
          + PARAMETER + "=user@host to the URI (a matrix host's ssh:)");
    }
    String user = libvirtUri.getUserInfo() != null ? libvirtUri.getUserInfo()
        : System.getProperty("user.name");
    return Optional.of(new SshRoute(user, libvirtUri.getHost(), libvirtUri.getPort() > 0
        ? libvirtUri.getPort() : 22, identities, knownHosts));
  }

  /** The URI's {@code kiln-cache-gib=N}: the size cap of the host's media cache. */
  public static Optional<Long> cacheGib(URI uri) {
    String v = parameters(uri).get("kiln-cache-gib");
    if (v == null) {
      return Optional.empty();
    }
    try {
      long gib = Long.parseLong(v);
      if (gib > 0 && gib < (1L << 33)) {
        return Optional.of(gib);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("kiln-cache-gib=" + v + ": give a whole number of GiB");
  }

  /** {@code uri} as libvirt must see it: without Kiln's own parameters ({@code kiln-*}). */
  public static URI withoutKilnParameters(URI uri) {
    String raw = uri.getRawQuery();
    if (raw == null || !raw.contains("kiln-")) {
      return uri;
    }
    StringBuilder kept = new StringBuilder();
    for (String pair : raw.split("&")) {
      if (!pair.startsWith("kiln-")) {
        kept.append(kept.length() == 0 ? "" : "&").append(pair);
      }
    }
    String s = uri.toString();
    String base = s.substring(0, s.indexOf('?'));
    return URI.create(kept.length() == 0 ? base : base + "?" + kept);
  }

  private static Map<String, String> parameters(URI uri) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
            StandardCharsets.UTF_8);
        out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1),
            StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static List<Path> defaultIdentities(Path dir) {
    return List.of("id_ed25519", "id_ecdsa", "id_rsa").stream().map(dir::resolve)
        .filter(Files::isReadable).toList();
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port;
  }
}
