package dev.kiln.core.internal.provision;

import dev.kiln.api.CommunicatorException;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Communicator.ExecResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runs a script in the guest as root: uploaded by SFTP to the login user's /tmp, moved to
 * {@code /run/kiln} (cleaning /tmp during generalization must not remove it), run with sudo.
 */
public final class GuestScriptRunner {
  static final String DIR = "/run/kiln";

  private GuestScriptRunner() {}

  /** Puts {@code script} in the guest and returns its path there. */
  public static String install(Communicator ssh, String name, String script)
      throws CommunicatorException, InterruptedException {
    if (!name.matches("[a-z0-9][a-z0-9.-]{0,63}")) {
      throw new IllegalArgumentException("script name: " + name);
    }
    Path local;
    try {
      local = Files.createTempFile("kiln-" + name, ".sh");
      Files.writeString(local, script, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommunicatorException("writing " + name + ": " + e.getMessage(), e);
    }
    String upload = "/tmp/kiln-upload-" + name;
    try {
      ssh.upload(local, upload);
    } finally {
      try {
        Files.deleteIfExists(local);
      } catch (IOException ignored) {
        // a temp file of a few kilobytes
      }
    }
    String target = DIR + "/" + name;
    ExecResult r = ssh.exec(new ExecRequest("mkdir -p " + DIR + " && chmod 700 " + DIR
        + " && mv " + upload + " " + target + " && chmod 700 " + target,
        Duration.ofSeconds(60), Map.of(), true, false));
    if (!r.succeeded()) {
      throw new ProvisionException("installing " + name, r.exitCode(), r.stdoutTail()
          + r.stderrTail());
    }
    return target;
  }

  /** Installs and runs {@code script} as root with {@code environment} and arguments. */
  public static ExecResult run(Communicator ssh, String name, String script,
      Map<String, String> environment, String arguments, Duration timeout)
      throws CommunicatorException, InterruptedException {
    String path = install(ssh, name, script);
    ExecResult r = ssh.exec(new ExecRequest("sh " + path + (arguments.isEmpty() ? ""
        : " " + arguments), timeout, environment, true, false));
    if (!r.succeeded()) {
      throw new ProvisionException(name, r.exitCode(), r.stdoutTail() + r.stderrTail());
    }
    return r;
  }
}
