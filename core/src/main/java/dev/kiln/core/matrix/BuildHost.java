package dev.kiln.core.matrix;

import java.net.URI;
import java.util.Objects;
import java.util.Set;

/**
 * A libvirt host of the pool: its URI, how many builds it runs at once, and labels recipes
 * can require (e.g. {@code kvm}, {@code uefi}, {@code arch=aarch64}).
 */
public record BuildHost(String name, URI uri, int capacity, Set<String> labels) {
  public BuildHost {
    Objects.requireNonNull(name);
    Objects.requireNonNull(uri);
    if (capacity < 1) {
      throw new IllegalArgumentException("host " + name + ": capacity must be at least 1");
    }
    labels = Set.copyOf(labels);
  }

  /** {@code uri} without its query (which may name a key file), for logs and summaries. */
  public String displayUri() {
    String s = uri.toString();
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }
}
