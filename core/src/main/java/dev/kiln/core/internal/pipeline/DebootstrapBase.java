package dev.kiln.core.internal.pipeline;

import dev.kiln.api.DebootstrapSource;
import dev.kiln.api.SourceException;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The {@code debootstrap} source: a Debian cloud disk built from Debian's package mirror with
 * mmdebstrap, no vendor download (the recipe in {@code debootstrap-base.sh}, the same that
 * builds the VM test fixture). Cached by the script and its settings.
 */
final class DebootstrapBase {
  private DebootstrapBase() {}

  static Path build(DebootstrapSource source, Path cacheDir, long diskBytes,
      EventHandlers events, String buildId) throws SourceException, InterruptedException {
    Path script;
    try (InputStream in = DebootstrapBase.class.getResourceAsStream(
        "/dev/kiln/core/debootstrap-base.sh")) {
      if (in == null) {
        throw new SourceException("debootstrap-base.sh missing from the Kiln jar");
      }
      Files.createDirectories(cacheDir);
      script = cacheDir.resolve("debootstrap-base.sh");
      Files.write(script, in.readAllBytes());
    } catch (IOException e) {
      throw new SourceException("preparing the debootstrap source: " + e.getMessage(), e);
    }
    long mib = Math.max(2048, diskBytes >> 20);
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.environment().put("KILN_FIXTURES", cacheDir.toString());
    pb.environment().put("KILN_SUITE", source.suite().toLowerCase(Locale.ROOT));
    pb.environment().put("KILN_DEBIAN_MIRROR", source.mirror().toString());
    pb.environment().put("KILN_EXTRA_PACKAGES", String.join(",", source.packages()));
    pb.environment().put("KILN_DISK_MIB", Long.toString(mib));
    List<String> output = new ArrayList<>();
    try {
      Process p = pb.start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.add(line);
          events.dispatch(new KilnEvent.CommandOutput(buildId, Instant.now(), "mmdebstrap",
              KilnEvent.OutputStream.STDOUT, line));
        }
      }
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new SourceException("building the Debian base with mmdebstrap failed:\n"
            + String.join("\n", output.subList(Math.max(0, output.size() - 20),
            output.size())));
      }
    } catch (IOException e) {
      throw new SourceException("cannot run mmdebstrap (scripts/host-setup.sh installs it): "
          + e.getMessage(), e);
    }
    Path disk = Path.of(output.get(output.size() - 1).strip());
    if (!Files.isRegularFile(disk)) {
      throw new SourceException("the debootstrap build printed no disk: " + disk);
    }
    return disk;
  }

  /**
   * The signed suite indexes {@code disk} was bootstrapped from: the script keeps a copy of
   * each {@code InRelease} beside it ({@code DISK.indexes/}); each is named with its SHA-256
   * and {@code Date:}. Empty for a base cached before Kiln kept them.
   */
  static List<BuildManifest.PackageIndex> indexes(Path disk) {
    Path dir = disk.resolveSibling(disk.getFileName() + ".indexes");
    List<BuildManifest.PackageIndex> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        byte[] bytes = Files.readAllBytes(f);
        String date = new String(bytes, StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("Date: ")).findFirst().map(l -> l.substring(6)).orElse("");
        out.add(new BuildManifest.PackageIndex(f.getFileName().toString(),
            InstallStage.sha256(bytes), date));
      }
    } catch (IOException e) {
      return List.of();
    }
    return out;
  }
}
