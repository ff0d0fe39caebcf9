package dev.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A build JVM is killed with SIGKILL while its machine boots (no shutdown hook can run); its
 * domain and files survive it; {@code kiln clean} then removes the domain, the QEMU process
 * and the machine directory, and leaves a domain that is not Kiln's alone.
 */
@Tag("vm")
class CleanAfterKillVmTest {
  Path root;
  Process build;

  @AfterEach
  void reap() throws Exception {
    if (build != null) {
      build.destroyForcibly();
    }
    run("bash", "-c", "virsh -c qemu:///system list --name | grep '^kiln-vmtest-kill-' | "
        + "xargs -r -n1 virsh -c qemu:///system destroy");
    if (root != null) {
      run("rm", "-rf", root.toString());
    }
  }

  @Test
  void cleanRemovesWhatAKilledBuildLeft() throws Exception {
    root = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-kill-root-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    String name = "kiln-vmtest-kill-" + Long.toHexString(System.nanoTime() & 0xffffff);
    startBuildJvm(name);
    Thread.sleep(3000); // in the middle of the boot
    build.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(build.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(run("virsh", "-c", "qemu:///system", "list", "--name")).contains(name);
    Path machineDir = root.resolve("machines").resolve(name);
    assertThat(machineDir.resolve("console.log")).exists();

    StringWriter cliOut = new StringWriter();
    int exit = KilnCli.commandLine(new PrintWriter(cliOut, true),
        new PrintWriter(cliOut, true)).execute("clean", "--work-root", root.toString());
    assertThat(exit).as(cliOut.toString()).isZero();
    assertThat(cliOut.toString()).contains("removed domain    " + name)
        .contains("removed directory " + machineDir);

    assertThat(run("virsh", "-c", "qemu:///system", "list", "--all", "--name"))
        .doesNotContain(name);
    assertThat(run("pgrep", "-f", "guest=" + name)).isBlank();
    assertThat(machineDir).doesNotExist();
    assertThat(root.resolve("machines")).isEmptyDirectory();

    StringWriter again = new StringWriter();
    KilnCli.commandLine(new PrintWriter(again, true), new PrintWriter(again, true))
        .execute("clean", "--work-root", root.toString());
    assertThat(again.toString()).contains("nothing to clean");
  }

  @Test
  void sigtermRunsTheShutdownHookWhichRemovesTheMachine() throws Exception {
    root = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-kill-root-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    String name = "kiln-vmtest-kill-" + Long.toHexString(System.nanoTime() & 0xffffff);
    startBuildJvm(name);
    assertThat(run("virsh", "-c", "qemu:///system", "list", "--name")).contains(name);
    build.destroy(); // SIGTERM, as Ctrl-C or a CI runner's cancel would send
    assertThat(build.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(run("virsh", "-c", "qemu:///system", "list", "--all", "--name"))
        .doesNotContain(name);
    assertThat(root.resolve("machines")).isEmptyDirectory();
  }

  /** A separate JVM that starts a machine named {@code name} and waits to be killed. */
  private void startBuildJvm(String name) throws Exception {
    build = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), BootAndHang.class.getName(),
        root.toString(), name).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(build.getInputStream(),
        StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = out.readLine()) != null && !line.startsWith("STARTED")) {
      seen.append(line).append('\n');
    }
    assertThat(line).as("the build JVM did not start its machine:\n" + seen).isNotNull();
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }
}
