package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code kiln convert} as a separate process, the way a user or a CI job runs it: hostile
 * input gives one line on stderr and exit 1 (never a stack trace or exit 3); a disk too large
 * for the target is refused before any work; SIGTERM mid-conversion leaves nothing in the
 * output directory, and what SIGKILL leaves is found and removed by {@code kiln clean DIR}.
 */
@Tag("validator")
class ConvertHostileInputTest {
  @TempDir
  static Path dir;
  static Path source;
  Process kiln;

  @BeforeAll
  static void bigSource() throws Exception {
    // 384 MiB of incompressible data: bzip2 takes long enough to be interrupted in the middle
    source = dir.resolve("random.raw");
    Random random = new Random(22);
    byte[] chunk = new byte[8 << 20];
    try (var ch = Files.newByteChannel(source, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE)) {
      for (int i = 0; i < 48; i++) {
        random.nextBytes(chunk);
        ch.write(ByteBuffer.wrap(chunk));
      }
    }
  }

  @AfterEach
  void reap() throws Exception {
    if (kiln != null && kiln.isAlive()) {
      kiln.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static ProcessBuilder kilnProcess(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), KilnCli.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  record Run(int exit, String out, String err) {}

  private static Run kilnRun(String... args) throws Exception {
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = kilnProcess(args).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(p.exitValue(), out, Files.readString(err));
  }

  private static void tool(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static List<String> filesIn(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void putInt(Path file, long at, int value) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      f.writeInt(value); // big-endian, as qcow2 stores it
    }
  }

  /** Each mutant of issue 22 that used to end in "kiln: internal error" and a stack trace. */
  @ParameterizedTest(name = "qcow2 field at {0}")
  @ValueSource(ints = {56, 100, 48})
  void hostileImagesGiveOneLineAndExit1(int field) throws Exception {
    Path mutant = dir.resolve("mutant-" + field + ".qcow2");
    tool("qemu-img", "create", "-q", "-f", "qcow2", mutant.toString(), "64M");
    putInt(mutant, field, 0x80000000);
    Path out = Files.createDirectories(dir.resolve("out-" + field));
    for (String[] cmd : new String[][] {{"convert", mutant.toString(),
        out.resolve("x.vhd").toString()}, {"inspect", mutant.toString()}}) {
      Run r = kilnRun(cmd);
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      String errAndOut = r.err() + r.out();
      assertThat(errAndOut).doesNotContain("Exception").doesNotContain("\tat ")
          .doesNotContain("internal error");
      if (cmd[0].equals("convert")) {
        assertThat(r.err().lines()).hasSize(1);
      }
    }
    assertThat(filesIn(out)).isEmpty();
  }

  @Test
  void aDiskTooLargeForVhdIsRefusedBeforeAnyWork() throws Exception {
    Path huge = dir.resolve("huge.raw");
    try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(2100L << 30); // sparse: 2100 GiB, no blocks
    }
    Path out = Files.createDirectories(dir.resolve("out-huge"));
    Run r = kilnRun("convert", huge.toString(), out.resolve("x.vhd").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("kiln convert: vhd holds at most 2040 GiB, and this disk is "
        + "2100 GiB (2254857830400 bytes); choose a smaller disk or another format\n");
    assertThat(filesIn(out)).isEmpty();
  }

  /** Starts a conversion and waits until a temporary file whose name ends in {@code suffix}. */
  private Path startAndWaitFor(Path out, String target, String suffix) throws Exception {
    kiln = kilnProcess("convert", source.toString(), out.resolve(target).toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("kiln-" + target + ".log")
            .toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline && kiln.isAlive()) {
      for (String f : filesIn(out)) {
        if (f.endsWith(suffix)) {
          return out.resolve(f);
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no " + suffix + " appeared: " + filesIn(out) + "\n"
        + Files.readString(dir.resolve("kiln-" + target + ".log")));
  }

  @ParameterizedTest(name = "SIGTERM while writing {0}")
  @ValueSource(strings = {".image.partial", ".bz2.partial"})
  void sigtermLeavesNothing(String stage) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-term" + stage));
    Path seen = startAndWaitFor(out, "x.vhd.bz2", stage);
    assertThat(seen.getFileName().toString()).endsWith(".partial");
    kiln.destroy(); // SIGTERM, as a CI runner's cancel or `kill` sends (Ctrl-C runs the same)
    assertThat(kiln.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(filesIn(out)).as("what SIGTERM left").isEmpty();
  }

  @Test
  void whatSigkillLeavesIsFoundByKilnClean() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-kill"));
    startAndWaitFor(out, "x.vhd.bz2", ".bz2.partial");
    kiln.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(kiln.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> left = filesIn(out);
    assertThat(left).isNotEmpty().allSatisfy(f -> assertThat(f).endsWith(".partial"));
    Run clean = kilnRun("clean", out.toString());
    assertThat(clean.exit()).as(clean.err()).isZero();
    assertThat(clean.out()).contains("removed partial");
    assertThat(filesIn(out)).isEmpty();
  }

  @Test
  void anExistingDestinationNeedsForce() throws Exception {
    Path small = dir.resolve("small.raw");
    try (RandomAccessFile f = new RandomAccessFile(small.toFile(), "rw")) {
      f.setLength(1 << 20);
    }
    Path out = Files.createDirectories(dir.resolve("out-force"));
    Path dest = out.resolve("x.qcow2");
    Files.writeString(dest, "precious");
    Run r = kilnRun("convert", small.toString(), dest.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("kiln convert: " + dest + " exists; use --force to replace "
        + "it\n");
    assertThat(Files.readString(dest)).isEqualTo("precious");
    assertThat(kilnRun("convert", "--force", small.toString(), dest.toString()).exit())
        .isZero();
    Run missing = kilnRun("convert", small.toString(), out.resolve("no/such/x.qcow2")
        .toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("does not exist; create it first")
        .doesNotContain("Exception");
  }
}
