package dev.kiln.core.internal.provision;

import dev.kiln.api.CommunicatorException;
import dev.kiln.api.ProvisionStep;
import dev.kiln.core.internal.ssh.ShellCommand;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Communicator.ExecResult;
import dev.kiln.spi.OsProfile.PackageFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a recipe's provisioning steps in the guest, as root: shell (inline or a script file),
 * file or directory upload, reboot (expecting the disconnect, then waiting until the guest
 * answers with a new boot id), and package update/install for the guest's package family.
 * The first failing step stops provisioning with its output.
 */
public final class Provisioner {
  private final Communicator ssh;
  private final PackageFamily family;
  private final Map<String, String> environment;

  /**
   * @param environment variables every step sees (e.g. a proxy reached through a remote
   *     forward)
   */
  public Provisioner(Communicator ssh, PackageFamily family, Map<String, String> environment) {
    this.ssh = ssh;
    this.family = family;
    this.environment = Map.copyOf(environment);
  }

  public void run(List<ProvisionStep> steps) throws CommunicatorException, InterruptedException {
    for (int i = 0; i < steps.size(); i++) {
      run(i + 1, steps.get(i));
    }
  }

  /** Runs step {@code n} (1-based, as the recipe counts) alone. */
  public void run(int n, ProvisionStep step) throws CommunicatorException, InterruptedException {
    String label = "provision step " + n;
    if (step instanceof ProvisionStep.Shell shell) {
      String script;
      try {
        script = shell.inline().isPresent() ? shell.inline().get()
            : Files.readString(shell.script().orElseThrow());
      } catch (IOException e) {
        throw new CommunicatorException(label + ": cannot read " + shell.script().orElseThrow()
            + ": " + e.getMessage(), e);
      }
      GuestScriptRunner.run(ssh, "step-" + n + ".sh", script, environment, "",
          shell.timeout());
    } else if (step instanceof ProvisionStep.Upload upload) {
      upload(n, label, upload);
    } else if (step instanceof ProvisionStep.Reboot reboot) {
      ssh.execExpectingDisconnect(new ExecRequest("nohup sh -c 'sleep 1; reboot' "
          + ">/dev/null 2>&1 &", Duration.ofSeconds(30), Map.of(), true, false));
      ssh.awaitReconnect(reboot.timeout());
    } else if (step instanceof ProvisionStep.Packages packages) {
      String command = packageCommand(family, packages.install(), packages.upgrade());
      ExecResult r = ssh.exec(new ExecRequest(command, Duration.ofMinutes(30), environment,
          true, false));
      if (!r.succeeded()) {
        throw new ProvisionException(label + " (packages " + packages.install() + ")",
            r.exitCode(), r.stdoutTail() + r.stderrTail());
      }
    }
  }

  /**
   * SFTP writes as the login user, who cannot write {@code /etc}: the file or directory goes to
   * the user's {@code /tmp} first and root copies it into place (parents created; an existing
   * file keeps its owner and mode, a new one is root's with the local file's mode).
   */
  private void upload(int n, String label, ProvisionStep.Upload upload)
      throws CommunicatorException, InterruptedException {
    String staged = "/tmp/kiln-upload-step-" + n;
    ssh.exec(ExecRequest.of("rm -rf " + staged, Duration.ofMinutes(1)));
    ssh.upload(upload.source(), staged);
    String dest = ShellCommand.quote(upload.destination());
    String copy = Files.isDirectory(upload.source())
        ? "mkdir -p " + dest + " && cp -R --no-preserve=ownership " + staged + "/. " + dest
        : "mkdir -p \"$(dirname " + dest + ")\" && cp --no-preserve=ownership " + staged + " "
            + dest;
    ExecResult r = ssh.exec(new ExecRequest(copy + "; rc=$?; rm -rf " + staged + "; exit $rc",
        Duration.ofMinutes(10), Map.of(), true, false));
    if (!r.succeeded()) {
      throw new ProvisionException(label + " (upload " + upload.source().getFileName()
          + " to " + upload.destination() + ")", r.exitCode(), r.stdoutTail() + r.stderrTail());
    }
  }

  /** The package manager's commands, names checked and quoted. */
  static String packageCommand(PackageFamily family, List<String> install, boolean upgrade) {
    for (String p : install) {
      if (!p.matches("@?\\^?[a-zA-Z0-9][a-zA-Z0-9.+_:-]{0,127}")) {
        throw new IllegalArgumentException("not a package name: " + p);
      }
    }
    String names = String.join(" ", install);
    // the guest scripts' kiln_pkg_refresh skips its refresh after this one (packages.sh)
    String refreshed = " && touch /run/kiln-pkg-refreshed";
    return switch (family) {
      case APT -> "export DEBIAN_FRONTEND=noninteractive; apt-get update -q" + refreshed
          + (upgrade ? " && apt-get -y -q -o Dpkg::Options::=--force-confold dist-upgrade" : "")
          + (install.isEmpty() ? "" : " && apt-get install -y -q --no-install-recommends "
          + names);
      case DNF -> "dnf -q -y makecache" + refreshed + (upgrade ? " && dnf -q -y upgrade" : "")
          + (install.isEmpty() ? "" : " && dnf -q -y install " + names);
      case ZYPPER -> "zypper --non-interactive --quiet refresh" + refreshed
          + (upgrade ? " && zypper --non-interactive --quiet update" : "")
          + (install.isEmpty() ? "" : " && zypper --non-interactive --quiet install "
          + "--no-recommends " + names);
    };
  }
}
