package dev.kiln.core.internal.provision;

import dev.kiln.api.CommunicatorException;
import dev.kiln.api.GeneralizeOptions;
import dev.kiln.api.event.EventHandlers;
import dev.kiln.api.event.KilnEvent;
import dev.kiln.spi.Communicator;
import dev.kiln.spi.Communicator.ExecRequest;
import dev.kiln.spi.Communicator.ExecResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Generalizes the guest with the family's generalize script (from the OS profile): every
 * selected operation, then a read-only check that reports what survived, then, in the same
 * command as the power-off, the SSH host keys and the build key (sshd re-reads host keys per
 * connection, so removing them earlier would break the build's own next login).
 */
public final class Generalizer {
  /**
   * Operations that must run in the final, powering-off call, in this order: sshd needs its
   * host keys and the build user its account and key until then, the journal keeps recording
   * the build until then — and free space is zeroed after every deletion, or what was deleted
   * (the host's private keys) stays readable in the image's free blocks.
   */
  static final List<String> LAST = List.of("logs", "ssh-host-keys", "build-key", "build-user",
      "trim-free-space");

  private Generalizer() {}

  /** The operations {@code options} select, in the script's order. */
  public static List<String> operations(GeneralizeOptions options) {
    List<String> ops = new ArrayList<>();
    for (String op : GeneralizeOptions.OPERATIONS) {
      if (options.skip().contains(op)
          || op.equals("root-password") && options.rootPassword()
              == GeneralizeOptions.RootPasswordPolicy.KEEP
          || op.equals("trim-free-space") && !options.trimFreeSpace()) {
        continue;
      }
      ops.add(op);
    }
    return ops;
  }

  /**
   * Runs the operations and powers the guest off; returns the check's survivors (also sent
   * as warnings). The connection is gone afterwards: wait for the machine's power-off.
   */
  public static List<String> generalizeAndPowerOff(Communicator ssh, String script,
      GeneralizeOptions options, String buildUser, String buildPublicKey, EventHandlers events,
      String buildId)
      throws CommunicatorException, InterruptedException {
    List<String> ops = operations(options);
    Map<String, String> env = Map.of("KILN_ROOT_PASSWORD",
        options.rootPassword().name().toLowerCase(Locale.ROOT), "KILN_BUILD_KEY",
        buildPublicKey, "KILN_BUILD_USER", buildUser);
    String path = GuestScriptRunner.install(ssh, "generalize.sh", script);
    List<String> first = ops.stream().filter(o -> !LAST.contains(o)).toList();
    List<String> last = ops.stream().filter(LAST::contains).toList();
    ExecResult r = ssh.exec(new ExecRequest("sh " + path + " " + String.join(" ", first),
        Duration.ofMinutes(30), env, true, false));
    if (!r.succeeded()) {
      throw new ProvisionException("generalize", r.exitCode(), r.stdoutTail()
          + r.stderrTail());
    }
    // the check runs after the final removals, then the guest powers off in the same call
    String finalCall = (last.isEmpty() ? "" : "sh " + path + " " + String.join(" ", last)
        + "; ") + "sh " + path + " --check " + String.join(" ", ops)
        + "; rm -rf /run/kiln; sync; (sleep 1; systemctl poweroff || poweroff) >/dev/null 2>&1 &";
    List<String> survivors = new ArrayList<>();
    try {
      // zeroing free space (when the disk cannot trim) writes the whole disk: minutes under TCG
      ExecResult check = ssh.exec(new ExecRequest(finalCall, Duration.ofMinutes(30), env, true,
          false));
      for (String line : (check.stdoutTail() + check.stderrTail()).split("\n")) {
        if (line.startsWith("kiln-generalize: survived: ")) {
          String what = line.substring("kiln-generalize: survived: ".length());
          survivors.add(what);
          events.dispatch(new KilnEvent.Warning(buildId, Instant.now(),
              "generalize.survivor", "after generalizing, still present: " + what));
        }
      }
    } catch (CommunicatorException e) {
      if (!String.valueOf(e.getMessage()).contains("lost")) {
        throw e;
      }
    }
    return survivors;
  }
}
