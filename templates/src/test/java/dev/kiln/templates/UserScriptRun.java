package dev.kiln.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a rendered user-setup script with the system commands it calls replaced by shell
 * functions that only log (useradd, usermod, passwd, ...), home directories and sudoers under a
 * temporary directory. The authorized_keys files it writes must hold exactly the recipe's keys:
 * whatever the key comments contain, nothing was executed or split.
 */
final class UserScriptRun {
  private UserScriptRun() {}

  static void assertKeysArrive(Path dir, String script, List<String> keys) throws Exception {
    Judges.Verdict sc = Judges.shellcheck(dir, script);
    assertThat(sc.ok()).as(sc.output()).isTrue();
    Path sandbox = Files.createTempDirectory(dir, "sandbox");
    Path log = sandbox.resolve("log");
    String stubs = String.join("\n",
        "id() { return 1; }",
        "useradd() { echo \"useradd $*\" >> " + log + "; mkdir -p " + sandbox + "/home/\"$4\"; }",
        "usermod() { echo \"usermod $*\" >> " + log + "; }",
        "groupadd() { echo \"groupadd $*\" >> " + log + "; }",
        "passwd() { echo \"passwd $*\" >> " + log + "; }",
        "chown() { :; }",
        "getent() { if [ \"$1\" = passwd ]; then echo \"$2:x:1000:1000::" + sandbox
            + "/home/$2:/bin/bash\"; else return 1; fi; }",
        "");
    String body = script.replace("/etc/sudoers.d", sandbox + "/sudoers.d");
    body = body.startsWith("#!") ? body.substring(body.indexOf('\n') + 1) : body;
    Path run = sandbox.resolve("run.sh");
    Files.writeString(run, stubs + body);
    Judges.Verdict v = Judges.run(List.of("sh", run.toString()));
    assertThat(v.ok()).as(v.output()).isTrue();
    List<String> got = new ArrayList<>();
    Path homes = sandbox.resolve("home");
    if (Files.isDirectory(homes)) {
      try (var users = Files.list(homes)) {
        for (Path home : users.sorted().toList()) {
          Path ak = home.resolve(".ssh/authorized_keys");
          if (Files.exists(ak)) {
            got.addAll(Files.readAllLines(ak));
          }
        }
      }
    }
    assertThat(got).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(Files.readString(log)).doesNotContain("reboot");
  }
}
