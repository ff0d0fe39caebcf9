package dev.kiln.formats.iso9660;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rebuilds a vendor installer ISO with extra files (an answer file) and extra kernel
 * arguments in its isolinux and GRUB configurations, keeping its El Torito boot images — for
 * hosts that cannot use direct kernel boot.
 */
public final class IsoRemaster {
  private static final Pattern ISOLINUX_APPEND =
      Pattern.compile("(?im)^(\\s*append\\s+)(.*)$");
  private static final Pattern GRUB_LINUX =
      Pattern.compile("(?m)^(\\s*linux(?:efi)?\\s+\\S+)(.*)$");

  private IsoRemaster() {}

  /**
   * Writes {@code output}: everything in {@code input}, plus {@code add} (path in the ISO to a
   * local file), with {@code kernelArgs} appended to every isolinux {@code append} and GRUB
   * {@code linux} line. Returns the configuration files that were edited.
   */
  public static List<String> remaster(Path input, Path output, Map<String, Path> add,
      String kernelArgs, Path workDir) throws IOException {
    List<String> edited = new ArrayList<>();
    Path staging = Files.createTempDirectory(workDir, "remaster-");
    try (IsoReader r = IsoReader.open(input)) {
      IsoImageWriter.Builder b = IsoImageWriter.builder(sanitize(r.jolietVolumeId()
          .orElse(r.volumeId()))).timestamp(Instant.now());
      int n = 0;
      for (IsoEntry e : r.entries()) {
        if (add.containsKey(e.path())) {
          continue;
        }
        if (e.directory()) {
          b.addDirectory(e.path());
        } else if (e.linkTarget().isPresent()) {
          b.addSymlink(e.path(), e.linkTarget().get());
        } else if (isBootConfig(e.path()) && !kernelArgs.isBlank() && e.size() < (1 << 20)) {
          String text = new String(r.read(e.path(), 1 << 20), StandardCharsets.UTF_8);
          String changed = appendArgs(text, kernelArgs, e.path());
          if (!changed.equals(text)) {
            edited.add(e.path());
          }
          b.addFile(e.path(), changed.getBytes(StandardCharsets.UTF_8));
        } else {
          Path copy = staging.resolve("f" + n++);
          r.extract(e.path(), copy);
          b.addFile(e.path(), copy);
        }
      }
      for (Map.Entry<String, Path> a : add.entrySet()) {
        b.addFile(a.getKey(), a.getValue());
      }
      for (BootEntry boot : r.bootEntries()) {
        String image = pathAt(r, boot.lba());
        if (image == null || !boot.bootable()) {
          continue;
        }
        if (boot.platform() == 0xEF) {
          b.efiBoot(image);
        } else {
          String catalog = image.contains("/") ? image.substring(0, image.lastIndexOf('/'))
              + "/boot.cat" : "boot.cat";
          if (r.find(catalog).isPresent()) {
            catalog = catalog + ".kiln";
          }
          b.biosBoot(image, boot.sectorCount() == 0 ? 4 : boot.sectorCount(), true, catalog);
        }
      }
      b.writeTo(output);
      return edited;
    } finally {
      try (var files = Files.walk(staging)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static boolean isBootConfig(String path) {
    String p = path.toLowerCase(java.util.Locale.ROOT);
    return (p.startsWith("isolinux/") || p.startsWith("syslinux/")) && p.endsWith(".cfg")
        || p.endsWith("grub.cfg");
  }

  static String appendArgs(String config, String args, String path) {
    Pattern p = path.toLowerCase(java.util.Locale.ROOT).endsWith("grub.cfg") ? GRUB_LINUX
        : ISOLINUX_APPEND;
    Matcher m = p.matcher(config);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String rest = m.group(2);
      String replacement = p == GRUB_LINUX ? m.group(1) + rest + " " + args
          : m.group(1) + rest.replace(" ---", " " + args + " ---")
              + (rest.contains(" ---") ? "" : " " + args);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String pathAt(IsoReader r, long lba) {
    for (IsoEntry e : r.entries()) {
      if (!e.directory() && !e.extents().isEmpty() && e.extents().get(0)[0] == lba) {
        return e.path();
      }
    }
    return null;
  }

  private static String sanitize(String label) {
    String s = label.replaceAll("[^A-Za-z0-9_.-]", "_");
    return s.isEmpty() ? "KILN" : s.substring(0, Math.min(32, s.length()));
  }
}
