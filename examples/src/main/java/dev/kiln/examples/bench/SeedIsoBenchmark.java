package dev.kiln.examples.bench;

import dev.kiln.formats.iso9660.IsoImageWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How long writing a typical CIDATA seed ISO takes (user-data, meta-data, network-config), in
 * this JVM after warm-up, next to {@code xorriso -as mkisofs} making the same image, run after
 * run. The target is 20 ms for Kiln. Usage: {@code SeedIsoBenchmark WORKDIR [RUNS]}.
 */
public final class SeedIsoBenchmark {
  private SeedIsoBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createDirectories(Path.of(args[0]));
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 101;
    StringBuilder userData = new StringBuilder("#cloud-config\nusers:\n");
    for (int i = 0; i < 20; i++) {
      userData.append("  - name: user").append(i).append("\n    ssh_authorized_keys:\n")
          .append("      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI").append("x".repeat(40))
          .append(" user").append(i).append("\n");
    }
    byte[] ud = userData.toString().getBytes(StandardCharsets.UTF_8);
    byte[] md = "instance-id: i-0001\nlocal-hostname: kiln\n".getBytes(StandardCharsets.UTF_8);
    byte[] nc = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n".getBytes(
        StandardCharsets.UTF_8);
    Path src = Files.createDirectories(work.resolve("seed-src"));
    Files.write(src.resolve("user-data"), ud);
    Files.write(src.resolve("meta-data"), md);
    Files.write(src.resolve("network-config"), nc);
    double[] kiln = new double[runs];
    double[] peer = new double[runs];
    for (int i = 0; i < 50; i++) { // JIT warm-up
      write(work.resolve("warm.iso"), ud, md, nc);
    }
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      write(work.resolve("k.iso"), ud, md, nc);
      kiln[r] = (System.nanoTime() - t0) / 1e6;
      t0 = System.nanoTime();
      Process p = new ProcessBuilder("xorriso", "-as", "mkisofs", "-quiet", "-J", "-R", "-V",
          "CIDATA", "-o", work.resolve("x.iso").toString(), src.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("xorriso failed");
      }
      peer[r] = (System.nanoTime() - t0) / 1e6;
    }
    double k = median(kiln);
    double x = median(peer);
    System.out.printf(Locale.ROOT, "| CIDATA seed ISO (3 files, %d B of user-data) | xorriso -as "
        + "mkisofs -J -R (process included) | %.2f ms | %.2f ms | %.1f× | ≤ 20 ms | %s |%n",
        ud.length, k, x, x / k, k <= 20 ? "yes" : "no");
  }

  private static void write(Path iso, byte[] ud, byte[] md, byte[] nc) throws Exception {
    IsoImageWriter.builder("CIDATA").addFile("user-data", ud).addFile("meta-data", md)
        .addFile("network-config", nc).writeTo(iso);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
