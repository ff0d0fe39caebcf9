package dev.kiln.core.internal.pipeline;

import dev.kiln.api.KilnException;
import dev.kiln.api.KilnVersion;
import dev.kiln.api.ProvisionStep;
import dev.kiln.api.Recipe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The step cache's keys: key {@code i} digests everything the disk after step {@code i + 1}
 * depends on — the base disk (its digest, path, size and modification time: a rebuilt base is
 * another base), the OS profile, the answers the build boot's cloud-init applies (secrets as
 * digests), machine firmware and disk size, the steps' environment, Kiln's version, and every
 * step up to it with the content of the files it runs or uploads (never their paths: moving a
 * script changes nothing). A change anywhere changes that key and every key after it.
 */
final class StepKeys {
  /** Bumped when the layout of a cached layer or the meaning of a key changes. */
  static final String SCHEME = "kiln-step-cache-1";

  private StepKeys() {}

  /**
   * @param baseChecksum the base's {@code ALGORITHM:hex} when it was downloaded and verified,
   *     else empty
   */
  static List<String> of(Recipe recipe, String profileId, Path base, String baseChecksum,
      Map<String, String> environment) throws KilnException, IOException {
    StringBuilder root = new StringBuilder(SCHEME).append('\n')
        .append(KilnVersion.get()).append('\n')
        .append(profileId).append(' ').append(recipe.os()).append('\n')
        .append(baseChecksum).append(' ').append(base.toAbsolutePath()).append(' ')
        .append(Files.size(base)).append(' ').append(Files.getLastModifiedTime(base).toMillis())
        .append('\n')
        .append(InstallKey.of(recipe))
        .append(new TreeMap<>(environment)).append('\n');
    String key = sha256(root.toString().getBytes(StandardCharsets.UTF_8));
    List<String> keys = new ArrayList<>();
    for (ProvisionStep step : recipe.provisioning()) {
      key = sha256((key + "\n" + describe(step)).getBytes(StandardCharsets.UTF_8));
      keys.add(key);
    }
    return keys;
  }

  /** One step as the text its key digests: kind, arguments, digests of the files it reads. */
  static String describe(ProvisionStep step) throws IOException {
    if (step instanceof ProvisionStep.Shell s) {
      byte[] script = s.inline().isPresent() ? s.inline().get().getBytes(StandardCharsets.UTF_8)
          : Files.readAllBytes(s.script().orElseThrow());
      return "shell " + sha256(script);
    }
    if (step instanceof ProvisionStep.Upload u) {
      return "upload " + u.destination() + " " + tree(u.source());
    }
    if (step instanceof ProvisionStep.Reboot) {
      return "reboot";
    }
    ProvisionStep.Packages p = (ProvisionStep.Packages) step;
    return "packages " + p.upgrade() + " " + p.install();
  }

  /** A few words for the cache's listing: no script text (a script may hold a secret). */
  static String what(ProvisionStep step) {
    if (step instanceof ProvisionStep.Shell s) {
      return s.script().map(f -> "shell " + f.getFileName()).orElse("shell (inline)");
    }
    if (step instanceof ProvisionStep.Upload u) {
      return "upload " + u.source().getFileName() + " to " + u.destination();
    }
    if (step instanceof ProvisionStep.Reboot) {
      return "reboot";
    }
    ProvisionStep.Packages p = (ProvisionStep.Packages) step;
    return "packages" + (p.upgrade() ? " (upgrade)" : "") + " " + String.join(" ", p.install());
  }

  /**
   * A file or directory tree: every entry's path relative to the root, type, permissions and
   * content digest (symbolic links by target), in name order.
   */
  static String tree(Path root) throws IOException {
    StringBuilder lines = new StringBuilder();
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = s.sorted().toList();
    }
    for (Path p : paths) {
      PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      lines.append(root.relativize(p)).append('\0')
          .append(java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()))
          .append('\0').append(a.isSymbolicLink() ? "link " + Files.readSymbolicLink(p)
              : a.isDirectory() ? "dir" : "file " + ProvenanceWriter.sha256(p)).append('\n');
    }
    return sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    return InstallStage.sha256(bytes);
  }
}
