package dev.kiln.examples.bench;

import dev.kiln.formats.DiskWriter;
import dev.kiln.formats.pack.Packager;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import dev.kiln.formats.raw.RawImage;
import dev.kiln.formats.vhd.VhdOptions;
import dev.kiln.formats.vhd.VhdWriter;
import dev.kiln.formats.vhdx.VhdxOptions;
import dev.kiln.formats.vhdx.VhdxWriter;
import dev.kiln.formats.vmdk.VmdkOptions;
import dev.kiln.formats.vmdk.VmdkStreamWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;


/**
 * Kiln's converters side by side with the peer tools on one multi-GiB disk: each case runs
 * Kiln and the peer once untimed, then alternately (who goes first alternates too), at least
 * five times, checks every output with {@code qemu-img compare} and deletes it before the
 * other tool runs, and reports medians and ratios. Kiln runs in this
 * JVM, whose heap the launcher caps (bench/run-conversion-bench.sh uses -Xmx256m); the peak heap
 * of all Kiln runs is reported.
 *
 * <p>Usage: {@code ConversionBenchmark DISK WORKDIR RUNS [REPORT.md]}.
 */
public final class ConversionBenchmark {
  /** One comparison: a Kiln conversion, the peer command, and the target ratio. */
  private record Case(String name, String output, String peerOutput, String peerLabel,
      double target, Converter kiln, String[] peer, String compareFormat) {}

  @FunctionalInterface
  private interface Converter {
    void run(Path source, Path out) throws IOException;
  }

  private ConversionBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ConversionBenchmark DISK WORKDIR RUNS [REPORT.md]");
      System.exit(2);
    }
    Path disk = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int runs = Integer.parseInt(args[2]);
    Files.createDirectories(work);
    int threads = Runtime.getRuntime().availableProcessors();
    List<Case> cases = List.of(
        new Case("qcow2", "k.qcow2", "q.qcow2", "qemu-img convert -O qcow2", 1.0,
            (s, o) -> convert(s, w -> Qcow2Writer.create(o, w, new Qcow2Options("1.1", false,
                threads))),
            new String[] {"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "SRC", "OUT"},
            "qcow2"),
        new Case("qcow2, compressed", "kc.qcow2", "qc.qcow2", "qemu-img convert -c -O qcow2",
            1.8, (s, o) -> convert(s, w -> Qcow2Writer.create(o, w, new Qcow2Options("1.1",
                true, threads))),
            new String[] {"qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "SRC", "OUT"},
            "qcow2"),
        new Case("vhd (dynamic)", "k.vhd", "q.vhd", "qemu-img convert -O vpc", 1.0,
            (s, o) -> convert(s, w -> VhdWriter.create(o, w, VhdOptions.dynamicNow())),
            new String[] {"qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o",
                "subformat=dynamic", "SRC", "OUT"}, "vpc"),
        new Case("vhdx", "k.vhdx", "q.vhdx", "qemu-img convert -O vhdx", 1.0,
            (s, o) -> convert(s, w -> VhdxWriter.create(o, w, VhdxOptions.defaults())),
            new String[] {"qemu-img", "convert", "-f", "raw", "-O", "vhdx", "SRC", "OUT"},
            "vhdx"),
        new Case("stream-optimized VMDK", "k.vmdk", "q.vmdk",
            "qemu-img convert -O vmdk -o subformat=streamOptimized", 1.8,
            (s, o) -> convert(s, w -> VmdkStreamWriter.create(o, w,
                VmdkOptions.defaults(o.getFileName().toString()))),
            new String[] {"qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o",
                "subformat=streamOptimized", "SRC", "OUT"}, "vmdk"),
        new Case("raw.bz2", "k.raw.bz2", "l.raw.bz2", "lbzip2 (all cores)", 1.0,
            (s, o) -> new Packager(threads, Instant.EPOCH).pack(s, o, Packaging.BZIP2, d -> { }),
            new String[] {"sh", "-c", "lbzip2 -c < SRC > OUT"}, "bz2"));

    String only = System.getProperty("kiln.bench.cases", "");
    if (!only.isBlank()) { // e.g. -Dkiln.bench.cases=vhdx,raw.bz2 to re-measure some cases
      List<String> wanted = Arrays.asList(only.split(","));
      cases = cases.stream().filter(c -> wanted.contains(c.name())).toList();
    }
    Map<String, long[]> sizes = new LinkedHashMap<>();
    Map<String, double[]> kilnTimes = new LinkedHashMap<>();
    Map<String, double[]> peerTimes = new LinkedHashMap<>();
    long peakHeap = 0;
    for (Case c : cases) {
      double[] k = new double[runs];
      double[] p = new double[runs];
      Path ko = work.resolve(c.output());
      Path po = work.resolve(c.peerOutput());
      String[] peerCommand = Arrays.stream(c.peer()).map(a -> a.replace("SRC", disk.toString())
          .replace("OUT", po.toString())).toArray(String[]::new);
      // one untimed run of each first, as JMH warms up: Kiln's first run in a JVM compiles
      // the case's code, and both tools' first run meets a cold page cache for the source
      c.kiln().run(disk, ko);
      Files.delete(ko);
      run(peerCommand);
      Files.delete(po);
      for (int r = 0; r < runs; r++) {
        boolean kilnFirst = r % 2 == 0;
        long[] size = new long[2];
        for (int turn = 0; turn < 2; turn++) {
          // start every timed run with no dirty pages of the previous one waiting to be
          // written, or the second runner pays for the first one's writeback
          run("sync");
          if ((turn == 0) == kilnFirst) {
            resetPeaks();
            k[r] = time(() -> c.kiln().run(disk, ko));
            peakHeap = Math.max(peakHeap, heapPeak());
            size[0] = checkAndDelete(disk, ko, c.compareFormat(), work);
          } else {
            // Kiln forces its output to disk before renaming it into place; the peer's run
            // includes the same (sync of its output file), so both are timed to durability
            p[r] = time(() -> {
              run(peerCommand);
              run("sync", po.toString());
            });
            size[1] = checkAndDelete(disk, po, c.compareFormat(), work);
          }
        }
        sizes.put(c.name(), size);
        System.out.printf(Locale.ROOT, "%-18s run %d: kiln %6.2f s, peer %6.2f s%n", c.name(),
            r + 1, k[r], p[r]);
      }
      kilnTimes.put(c.name(), k);
      peerTimes.put(c.name(), p);
    }
    String report = report(disk, runs, threads, cases, kilnTimes, peerTimes, sizes, peakHeap);
    System.out.println(report);
    if (args.length > 3) {
      Files.writeString(Path.of(args[3]), report, StandardCharsets.UTF_8);
    }
  }

  private interface WriterFactory {
    DiskWriter create(long size) throws IOException;
  }

  private static void convert(Path source, WriterFactory factory) throws IOException {
    try (RawImage in = RawImage.open(source); DiskWriter w = factory.create(in.virtualSize())) {
      dev.kiln.formats.io.Converter.convert(in, w, d -> { });
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  private static double time(Action a) throws Exception {
    long t0 = System.nanoTime();
    a.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /**
   * Checks {@code out}, returns its size and deletes it before the other tool runs: a second
   * runner that writes while the first one's output still fills memory (page cache, or tmpfs)
   * gets fresh pages — on this VM, ones the host must back first — and ran up to twice as slow
   * whichever tool it was, so each run starts with the same memory free.
   */
  private static long checkAndDelete(Path disk, Path out, String format, Path work)
      throws Exception {
    verify(disk, out, format, work);
    long size = Files.size(out);
    Files.delete(out);
    return size;
  }

  /** qemu-img compare of the output against the source (bz2 is unpacked by lbzip2 first). */
  private static void verify(Path disk, Path out, String format, Path work) throws Exception {
    Path image = out;
    if (format.equals("bz2")) {
      image = work.resolve("unpacked.raw");
      run("sh", "-c", "lbzip2 -dc < " + out + " > " + image);
      format = "raw";
    }
    try {
      run("qemu-img", "compare", "-f", "raw", "-F", format, disk.toString(), image.toString());
    } finally {
      if (!image.equals(out)) {
        Files.deleteIfExists(image);
      }
    }
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  private static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String report(Path disk, int runs, int threads, List<Case> cases,
      Map<String, double[]> kiln, Map<String, double[]> peer, Map<String, long[]> sizes,
      long peakHeap) throws Exception {
    StringBuilder s = new StringBuilder();
    long size = Files.size(disk);
    long data = RawImage.allocatedBytes(disk);
    s.append("| case | peer | runs | Kiln median (s) | peer median (s) | speed-up (peer / Kiln) "
        + "| target | met | output size Kiln / peer |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Case c : cases) {
      double k = median(kiln.get(c.name()));
      double p = median(peer.get(c.name()));
      double ratio = p / k;
      long[] bytes = sizes.get(c.name());
      s.append(String.format(Locale.ROOT,
          "| %s | %s | %d | %.2f | %.2f | %.2f× | ≥ %.1f× | %s | %.1f / %.1f MB |%n",
          c.name(), c.peerLabel(), runs, k, p, ratio, c.target(),
          ratio >= c.target() ? "yes" : "no", bytes[0] / 1e6, bytes[1] / 1e6));
    }
    s.append("\nEvery run (Kiln s / peer s):\n\n");
    for (Case c : cases) {
      StringBuilder line = new StringBuilder("- " + c.name() + ":");
      for (int r = 0; r < runs; r++) {
        line.append(String.format(Locale.ROOT, "%s %.2f/%.2f", r == 0 ? "" : ",",
            kiln.get(c.name())[r], peer.get(c.name())[r]));
      }
      s.append(line).append('\n');
    }
    String header = String.format(Locale.ROOT, "Measured %s on %d cores, Java %s, %s; disk %.1f "
        + "GiB virtual with %.2f GB of data; one untimed run of each tool, then %d alternating "
        + "runs per case, each output checked with qemu-img compare and deleted before the "
        + "other tool runs; page cache synced before every timed run, and every run timed "
        + "until its output is on disk (Kiln fsyncs before renaming; the peer's output is "
        + "synced with sync FILE). Kiln's JVM was capped at %9$d MiB; the sum of its heap pools' "
        + "peaks (each pool peaks at its own time, so the sum can pass the cap) was %8$d MiB.%n%n",
        LocalDate.now(), threads, Runtime.version(), run("qemu-img", "--version").lines()
            .findFirst().orElse("qemu-img"), size / (double) (1L << 30), data / 1e9, runs,
        peakHeap >> 20, Runtime.getRuntime().maxMemory() >> 20);
    return header + s;
  }

}
