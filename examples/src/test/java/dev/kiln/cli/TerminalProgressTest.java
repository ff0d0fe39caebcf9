package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in a real terminal (tmux), read as a person reads it: the progress bar of {@code kiln
 * convert} moving with bytes, rate and ETA, then the checksum; a build's stage header and its
 * download bar moving while a loopback HTTP server sends the image slowly; Ctrl-C typed in the
 * middle, which names the stage, keeps the partial download for resuming (the next build
 * starts from it with a Range request) and exits 130; {@code kiln clean --downloads} then
 * removes it. Each screen is kept as text and PNG in {@code target/screens}.
 */
@Tag("terminal")
class TerminalProgressTest {
  private static final int COLUMNS = 110;
  private static final int ROWS = 16;
  private static final Pattern BAR = Pattern.compile("(\\d+)% \\[[= >]*\\] +\\d+/\\d+ MiB "
      + "\\(\\d+:\\d\\d:\\d\\d / \\d+:\\d\\d:\\d\\d\\) [\\d.]+ MiB/s");
  private static final Path SCREENS = Path.of("target", "screens");

  @TempDir
  Path dir;
  private Tmux tmux;
  private HttpServer http;

  @AfterEach
  void reap() throws Exception {
    if (tmux != null) {
      tmux.close();
    }
    if (http != null) {
      http.stop(0);
    }
  }

  private static String kiln(String... args) {
    StringBuilder b = new StringBuilder();
    b.append(Path.of(System.getProperty("java.home"), "bin", "java")).append(" -Xmx512m -cp '")
        .append(System.getProperty("java.class.path")).append("' ")
        .append(KilnCli.class.getName());
    for (String a : args) {
      b.append(" '").append(a).append('\'');
    }
    return b.toString();
  }

  /** The percentage of the first progress bar on a line containing {@code task}. */
  private static Optional<Integer> percent(List<String> screen, String task) {
    for (String line : screen) {
      Matcher m = BAR.matcher(line);
      if (line.contains(task) && m.find()) {
        return Optional.of(Integer.parseInt(m.group(1)));
      }
    }
    return Optional.empty();
  }

  private static void keep(String name, List<String> screen) throws IOException {
    Files.createDirectories(SCREENS);
    Files.write(SCREENS.resolve(name + ".txt"), screen, StandardCharsets.UTF_8);
    ScreenPng.render(screen, COLUMNS, SCREENS.resolve(name + ".png"));
  }

  private static boolean exited(List<String> screen) {
    return screen.stream().anyMatch(l -> l.startsWith("EXIT="));
  }

  @Test
  void convertShowsAMovingBarWithBytesRateAndEtaThenTheChecksum() throws Exception {
    // 2 GiB virtual, 320 MiB of incompressible data: bzip2 takes long enough to watch
    Path source = dir.resolve("disk.raw");
    byte[] chunk = new byte[8 << 20];
    Random random = new Random(21);
    try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
      f.setLength(2L << 30);
      f.seek(100L << 20);
      for (int i = 0; i < 40; i++) {
        random.nextBytes(chunk);
        f.write(chunk);
      }
    }
    Path dest = dir.resolve("x.vhd.bz2");
    tmux = new Tmux(Tmux.script(dir, "convert", kiln("convert", source.toString(),
        dest.toString())), COLUMNS, ROWS);
    List<String> first = tmux.await(s -> percent(s, "package x.vhd.bz2")
        .filter(p -> p > 0 && p < 60).isPresent(), Duration.ofMinutes(5));
    int before = percent(first, "package x.vhd.bz2").orElseThrow(() -> new AssertionError(
        "no moving bar on the screen:\n" + String.join("\n", first)));
    List<String> later = tmux.await(s -> percent(s, "package x.vhd.bz2")
        .filter(p -> p > before).isPresent() || exited(s), Duration.ofMinutes(5));
    assertThat(percent(later, "package x.vhd.bz2")).as(String.join("\n", later))
        .hasValueSatisfying(p -> assertThat(p).isGreaterThan(before));
    // the finished first phase stays on the screen above the running one
    assertThat(later).anyMatch(l -> l.startsWith("convert x.vhd.bz2 100% ["));
    assertThat(later).allMatch(l -> l.length() <= COLUMNS);
    keep("convert-in-progress", later);

    List<String> done = tmux.await(TerminalProgressTest::exited, Duration.ofMinutes(10));
    keep("convert-done", done);
    assertThat(done).as(String.join("\n", done)).contains("EXIT=0");
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(Files.readAllBytes(dest)));
    assertThat(done).contains("  SHA-256 " + sha256);
  }

  /** Serves {@code file} at 2.5 MiB/s, honouring Range requests as mirrors do. */
  private void slowServer(Path file) throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      long size = Files.size(file);
      String range = ex.getRequestHeaders().getFirst("Range");
      long from = range != null && range.matches("bytes=\\d+-") ? Long.parseLong(
          range.substring(6, range.length() - 1)) : 0;
      if (from > 0) {
        ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (size - 1) + "/"
            + size);
      }
      ex.sendResponseHeaders(from > 0 ? 206 : 200, size - from);
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r");
          OutputStream out = ex.getResponseBody()) {
        in.seek(from);
        byte[] b = new byte[256 << 10];
        for (int n; (n = in.read(b)) > 0; ) {
          out.write(b, 0, n);
          out.flush();
          Thread.sleep(100);
        }
      } catch (InterruptedException | IOException e) {
        // the client went away (Ctrl-C): nothing to send it
      }
    });
    http.start();
  }

  @Test
  void aBuildShowsItsStageAndDownloadAndCtrlCKeepsOnlyTheResumableDownload() throws Exception {
    Path image = dir.resolve("img.qcow2");
    byte[] data = new byte[64 << 20];
    new Random(26).nextBytes(data);
    Files.write(image, data);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    slowServer(image);
    String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/img.qcow2";
    Path recipe = dir.resolve("recipe.yaml");
    Files.writeString(recipe, String.join("\n", "name: progress-demo",
        "os: {id: debian, version: \"12\"}", "source:", "  cloudImage:",
        "    urls: [" + url + "]", "    checksum: sha256:" + sha, "outputs:",
        "  - {hypervisor: kvm, format: qcow2}", ""));
    Path work = dir.resolve("work");
    Path out = dir.resolve("out");
    String build = kiln("build", recipe.toString(), "--out", out.toString(), "--work-root",
        work.toString(), "--no-verify");
    String task = "download " + url;

    tmux = new Tmux(Tmux.script(dir, "build", build), COLUMNS, ROWS);
    List<String> first = tmux.await(s -> percent(s, task).filter(p -> p >= 5).isPresent()
        || exited(s), Duration.ofMinutes(3));
    int before = percent(first, task).orElseThrow(() -> new AssertionError(
        "no download bar:\n" + String.join("\n", first)));
    List<String> later = tmux.await(s -> percent(s, task).filter(p -> p >= before + 10)
        .isPresent() || exited(s), Duration.ofMinutes(3));
    assertThat(percent(later, task)).as(String.join("\n", later))
        .hasValueSatisfying(p -> assertThat(p).isGreaterThanOrEqualTo(before + 10));
    // the stage header: its name and elapsed time, live
    assertThat(later).anyMatch(l -> l.matches("\\[source] \\d+:\\d\\d:\\d\\d.*"));
    assertThat(later).contains("[source] started");
    keep("build-download-in-progress", later);

    tmux.sendKeys("C-c");
    List<String> stopped = tmux.await(TerminalProgressTest::exited, Duration.ofMinutes(2));
    keep("build-interrupted", stopped);
    String screen = String.join("\n", stopped);
    assertThat(stopped).as(screen).contains("EXIT=130");
    assertThat(screen).contains("kiln build: interrupted during [source]")
        .contains("kept the partial download");
    assertThat(screen).doesNotContain("Exception").doesNotContain("null");
    // the live lines were cleared: no bar is left half-drawn under the messages
    assertThat(stopped).noneMatch(l -> BAR.matcher(l).find());
    Path partial = work.resolve("cache/objects/sha256/" + sha + ".partial");
    assertThat(partial).exists();
    long kept = Files.size(partial);
    assertThat(kept).isPositive();
    // the build directory keeps only the build's log, which says where it stopped
    Path buildLog;
    try (var builds = Files.list(work.resolve("builds"))) {
      List<Path> dirs = builds.toList();
      assertThat(dirs).hasSize(1);
      try (var files = Files.list(dirs.get(0))) {
        assertThat(files.map(p -> p.getFileName().toString()).toList())
            .containsExactly("build.log");
      }
      buildLog = dirs.get(0).resolve("build.log");
    }
    assertThat(screen.replace("\n", "")).contains("kept the build's log " + buildLog);
    assertThat(Files.readString(buildLog)).contains("[source] started", "download " + url);
    assertThat(out).doesNotExist();
    tmux.close();

    // the next build resumes the kept bytes (its bar starts where the first stopped)
    tmux = new Tmux(Tmux.script(dir, "build2", build), COLUMNS, ROWS);
    List<String> resumed = tmux.await(s -> percent(s, task).isPresent() || exited(s),
        Duration.ofMinutes(3));
    assertThat(percent(resumed, task)).as(String.join("\n", resumed))
        .hasValueSatisfying(p -> assertThat(p).isGreaterThanOrEqualTo(
            (int) (kept * 100 / data.length)));
    tmux.sendKeys("C-c");
    assertThat(tmux.await(TerminalProgressTest::exited, Duration.ofMinutes(2)))
        .contains("EXIT=130");
    tmux.close();
    tmux = null;

    Process clean = new ProcessBuilder("bash", "-c", kiln("clean", "--work-root",
        work.toString(), "--downloads")).redirectErrorStream(true).start();
    String cleaned = new String(clean.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(clean.waitFor()).as(cleaned).isZero();
    assertThat(cleaned).contains("removed download  " + partial);
    assertThat(partial).doesNotExist();
    Process cleanBuilds = new ProcessBuilder("bash", "-c", kiln("clean", "--work-root",
        work.toString(), "--builds")).redirectErrorStream(true).start();
    String cleanedBuilds = new String(cleanBuilds.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(cleanBuilds.waitFor()).as(cleanedBuilds).isZero();
    try (var builds = Files.list(work.resolve("builds"))) {
      assertThat(builds.toList()).as(cleanedBuilds).isEmpty();
    }
  }

  /**
   * A VM build on a terminal: the live header of a stage that boots a machine, then a failing
   * provisioning command with {@code --on-error ask} — the failure and how to reach the machine
   * on the screen, the machine really running and reachable with the printed ssh line while
   * Kiln waits, then {@code c} typed: everything cleaned up, exit 6 (provision).
   */
  @Test
  void aFailedProvisionAsksWithTheMachineRunningAndCleansUpWhenTold() throws Exception {
    Path vmDir = dev.kiln.kvm.Fixtures.reachableTempDir("kiln-ask-");
    try {
      Path image = vmDir.resolve("debian-12.qcow2");
      dev.kiln.formats.convert.ImageConverter.convert(dev.kiln.kvm.Fixtures.debian12(), image,
          dev.kiln.formats.convert.ConversionTarget.of(dev.kiln.formats.ImageFormat.QCOW2,
              dev.kiln.formats.pack.Packaging.NONE), 2, n -> { });
      String sha;
      try (var in = Files.newInputStream(image)) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] b = new byte[1 << 20];
        for (int n; (n = in.read(b)) > 0; ) {
          md.update(b, 0, n);
        }
        sha = HexFormat.of().formatHex(md.digest());
      }
      Path recipe = vmDir.resolve("ask.yaml");
      Files.writeString(recipe, String.join("\n", "name: ask-demo",
          "os: {id: debian, version: \"12\"}", "source:", "  cloudImage:",
          "    path: " + image, "    checksum: sha256:" + sha,
          "machine: {cpus: 2, memory: 1536MiB, diskSize: 3GiB, accelerator: tcg}",
          "provision:", "  - shell: echo about-to-fail; echo the-reason >&2; exit 7",
          "outputs:", "  - {hypervisor: kvm, format: qcow2}", ""));
      Path work = vmDir.resolve("work");
      String id = "kiln-ask-fail";
      tmux = new Tmux(Tmux.script(dir, "ask", kiln("build", recipe.toString(), "--out",
          vmDir.resolve("out").toString(), "--work-root", work.toString(), "--no-verify",
          "--build-id", id, "--on-error", "ask")), COLUMNS, ROWS);
      // the stage that boots the machine, live: its name and elapsed time
      // the stage header ten seconds or more in, with the console's last line under it
      String header = "\\[connect] \\d+:(\\d[1-9]:\\d\\d|00:[1-5]\\d)  console: .+";
      List<String> booting = tmux.await(s -> s.stream().anyMatch(l -> l.matches(header))
          || exited(s), Duration.ofMinutes(10));
      assertThat(booting).as(String.join("\n", booting)).anyMatch(l -> l.matches(header));
      keep("build-vm-stage", booting);

      List<String> asking = tmux.await(s -> String.join("", s).contains("[a]bort and keep")
          || exited(s), Duration.ofMinutes(20));
      keep("build-failed-ask", asking);
      String screen = String.join("\n", asking);
      assertThat(screen).contains("kiln build: [provision] failed:", "exit code 7",
          "is still running; reach it with:");
      assertThat(dev.kiln.kvm.Fixtures.run(List.of("virsh", "-c", "qemu:///system", "list",
          "--name"), 30).output()).contains(id);
      // the ssh line Kiln printed (also in the build log, unwrapped) reaches the machine
      String log = Files.readString(work.resolve("builds").resolve(id).resolve("build.log"));
      Matcher ssh = Pattern.compile("ssh -i (\\S+) -p (\\d+) (\\S+)@(\\S+)").matcher(log);
      assertThat(ssh.find()).as(log).isTrue();
      var reached = dev.kiln.kvm.Fixtures.run(List.of("ssh", "-i", ssh.group(1), "-p",
          ssh.group(2), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
          "-o", "BatchMode=yes", "-o", "ConnectTimeout=60", ssh.group(3) + "@" + ssh.group(4),
          "cat /etc/debian_version"), 120);
      assertThat(reached.exit()).as(reached.output()).isZero();
      assertThat(reached.output()).contains("12.");

      tmux.sendKeys("c", "Enter");
      List<String> done = tmux.await(TerminalProgressTest::exited, Duration.ofMinutes(5));
      keep("build-failed-cleaned", done);
      assertThat(done).as(String.join("\n", done)).contains("EXIT=6");
      assertThat(String.join("\n", done)).contains("the-reason").doesNotContain("Exception");
      assertThat(dev.kiln.kvm.Fixtures.run(List.of("virsh", "-c", "qemu:///system", "list",
          "--all", "--name"), 30).output()).doesNotContain(id);
      assertThat(work.resolve("machines").toFile().list()).isNullOrEmpty();
      Path build = work.resolve("builds").resolve(id);
      // the build directory keeps its record (logs), not the machine's scratch files or key
      assertThat(build.resolve("seed.iso")).doesNotExist();
      assertThat(build.resolve("id_ed25519")).doesNotExist();
      assertThat(build.resolve("console-build.log")).exists();
      // the terminal showed the console's tail and the cause last; the file has the rest
      assertThat(Files.readString(build.resolve("diagnostics.txt"))).contains("--- console",
          "--- domain XML");
      assertThat(String.join("\n", done)).doesNotContain("--- domain XML");
    } finally {
      if (tmux != null) {
        tmux.close();
        tmux = null;
      }
      new ProcessBuilder("rm", "-rf", vmDir.toString()).start().waitFor();
    }
  }
}
