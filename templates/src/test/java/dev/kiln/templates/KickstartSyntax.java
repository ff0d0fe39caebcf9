package dev.kiln.templates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kickstart read back command by command and checked against the documented syntax of the
 * target release (pykickstart's command reference and the RHEL 8/9/10 "Kickstart commands and
 * options reference"), for the commands and options Kiln writes. No kickstart validator
 * (ksvalidator) can be installed here, so this stands in for it: words are split as pykickstart
 * splits them (shlex, POSIX mode), and unknown commands, unknown options, missing required
 * options and unclosed sections are reported.
 */
final class KickstartSyntax {
  /** A command's documented options and positional argument count (min, max). */
  record Command(Set<String> options, Set<String> required, int minArgs, int maxArgs,
      Set<String> versions) {}

  static final Set<String> ALL = Set.of("RHEL8", "RHEL9", "RHEL10", "F42", "F43");
  static final Set<String> RHEL = Set.of("RHEL8", "RHEL9", "RHEL10");

  static final Map<String, Command> COMMANDS = Map.ofEntries(
      Map.entry("text", new Command(Set.of("--non-interactive"), Set.of(), 0, 0, ALL)),
      Map.entry("cdrom", new Command(Set.of(), Set.of(), 0, 0, ALL)),
      Map.entry("lang", new Command(Set.of("--addsupport"), Set.of(), 1, 1, ALL)),
      Map.entry("keyboard", new Command(Set.of("--vckeymap", "--xlayouts", "--switch"),
          Set.of(), 0, 1, ALL)),
      Map.entry("timezone", new Command(Set.of("--utc", "--isUtc", "--nontp"), Set.of(), 1, 1,
          ALL)),
      Map.entry("network", new Command(Set.of("--bootproto", "--device", "--activate",
          "--onboot", "--hostname", "--ip", "--netmask", "--gateway", "--nameserver",
          "--noipv6", "--no-activate"), Set.of(), 0, 0, ALL)),
      Map.entry("firewall", new Command(Set.of("--enabled", "--disabled", "--service", "--port",
          "--trust", "--remove-service", "--use-system-defaults"), Set.of(), 0, 0, ALL)),
      Map.entry("selinux", new Command(Set.of("--enforcing", "--permissive", "--disabled"),
          Set.of(), 0, 0, ALL)),
      Map.entry("firstboot", new Command(Set.of("--enable", "--enabled", "--disable",
          "--disabled", "--reconfig"), Set.of(), 0, 0, ALL)),
      Map.entry("skipx", new Command(Set.of(), Set.of(), 0, 0, ALL)),
      Map.entry("services", new Command(Set.of("--enabled", "--disabled"), Set.of(), 0, 0,
          ALL)),
      Map.entry("rootpw", new Command(Set.of("--iscrypted", "--plaintext", "--lock"), Set.of(),
          0, 1, ALL)),
      Map.entry("user", new Command(Set.of("--name", "--groups", "--homedir", "--iscrypted",
          "--plaintext", "--lock", "--password", "--shell", "--uid", "--gid", "--gecos"),
          Set.of("--name"), 0, 0, ALL)),
      Map.entry("sshkey", new Command(Set.of("--username"), Set.of("--username"), 1, 1, ALL)),
      Map.entry("rhsm", new Command(Set.of("--organization", "--activation-key",
          "--connect-to-insights", "--proxy", "--server-hostname", "--rhsm-baseurl"),
          Set.of("--organization", "--activation-key"), 0, 0, RHEL)),
      Map.entry("ignoredisk", new Command(Set.of("--only-use", "--drives", "--interactive"),
          Set.of(), 0, 0, ALL)),
      Map.entry("zerombr", new Command(Set.of(), Set.of(), 0, 0, ALL)),
      Map.entry("clearpart", new Command(Set.of("--all", "--initlabel", "--disklabel",
          "--drives", "--list", "--linux", "--none"), Set.of(), 0, 0, ALL)),
      Map.entry("reqpart", new Command(Set.of("--add-boot"), Set.of(), 0, 0, ALL)),
      Map.entry("part", new Command(Set.of("--fstype", "--size", "--grow", "--maxsize",
          "--ondisk", "--asprimary", "--label", "--fsoptions"), Set.of(), 1, 1, ALL)),
      Map.entry("volgroup", new Command(Set.of("--pesize", "--useexisting", "--noformat"),
          Set.of(), 2, 64, ALL)),
      Map.entry("logvol", new Command(Set.of("--vgname", "--name", "--fstype", "--size",
          "--grow", "--percent", "--maxsize"), Set.of("--vgname", "--name"), 1, 1, ALL)),
      Map.entry("bootloader", new Command(Set.of("--location", "--append", "--timeout",
          "--boot-drive", "--driveorder", "--password", "--iscrypted"), Set.of(), 0, 0, ALL)),
      Map.entry("poweroff", new Command(Set.of("--eject", "--kexec"), Set.of(), 0, 0, ALL)));

  static final Map<String, Set<String>> SECTIONS = Map.of(
      "%packages", Set.of("--excludedocs", "--ignoremissing", "--nocore", "--instLangs",
          "--inst-langs", "--exclude-weakdeps"),
      "%post", Set.of("--erroronfail", "--log", "--interpreter", "--nochroot"),
      "%pre", Set.of("--erroronfail", "--log", "--interpreter"));

  /** Every problem found; empty when the file is valid for {@code version}. */
  static List<String> check(String kickstart, String version) {
    List<String> problems = new ArrayList<>();
    String section = null;
    Set<String> seen = new java.util.HashSet<>();
    int n = 0;
    for (String line : kickstart.split("\n", -1)) {
      n++;
      String trimmed = line.strip();
      if (section != null) {
        if (trimmed.equals("%end")) {
          section = null;
        } else if (trimmed.startsWith("%")) {
          problems.add(n + ": section " + section + " not closed before " + trimmed);
        }
        continue;
      }
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      List<String> words;
      try {
        words = split(trimmed);
      } catch (IllegalArgumentException e) {
        problems.add(n + ": " + e.getMessage());
        continue;
      }
      String head = words.get(0);
      if (head.startsWith("%")) {
        Set<String> allowed = SECTIONS.get(head);
        if (allowed == null) {
          problems.add(n + ": unknown section " + head);
        } else {
          checkOptions(words.subList(1, words.size()), allowed, problems, n, head);
        }
        section = head;
        continue;
      }
      Command c = COMMANDS.get(head);
      if (c == null) {
        problems.add(n + ": " + head + " is not a command Kiln's syntax table knows");
        continue;
      }
      if (!c.versions().contains(version)) {
        problems.add(n + ": " + head + " does not exist in " + version);
      }
      if (!Set.of("user", "sshkey", "part", "logvol", "volgroup").contains(head)
          && !seen.add(head)) {
        problems.add(n + ": " + head + " given twice");
      }
      List<String> args = new ArrayList<>();
      Set<String> given = new java.util.HashSet<>();
      for (String w : words.subList(1, words.size())) {
        if (w.startsWith("--")) {
          String name = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
          given.add(name);
          if (!c.options().contains(name)) {
            problems.add(n + ": " + head + " has no option " + name + " in " + version);
          }
        } else {
          args.add(w);
        }
      }
      for (String r : c.required()) {
        if (!given.contains(r)) {
          problems.add(n + ": " + head + " needs " + r);
        }
      }
      if (args.size() < c.minArgs() || args.size() > c.maxArgs()) {
        problems.add(n + ": " + head + " takes " + c.minArgs() + "-" + c.maxArgs()
            + " arguments, got " + args);
      }
    }
    if (section != null) {
      problems.add("section " + section + " has no %end");
    }
    if (!seen.contains("poweroff")) {
      problems.add("no poweroff: Anaconda would only halt");
    }
    return problems;
  }

  private static void checkOptions(List<String> words, Set<String> allowed,
      List<String> problems, int n, String head) {
    for (String w : words) {
      String name = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
      if (!allowed.contains(name)) {
        problems.add(n + ": " + head + " has no option " + name);
      }
    }
  }

  /** Words as Python's shlex.split (POSIX mode) makes them. */
  static List<String> split(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        if (cur != null) {
          out.add(cur.toString());
          cur = null;
        }
        i++;
      } else if (c == '#' && cur == null) {
        break; // a comment
      } else {
        if (cur == null) {
          cur = new StringBuilder();
        }
        if (c == '\'') {
          int end = line.indexOf('\'', i + 1);
          if (end < 0) {
            throw new IllegalArgumentException("no closing quotation");
          }
          cur.append(line, i + 1, end);
          i = end + 1;
        } else if (c == '"') {
          i++;
          while (true) {
            if (i >= line.length()) {
              throw new IllegalArgumentException("no closing quotation");
            }
            char d = line.charAt(i);
            if (d == '"') {
              i++;
              break;
            }
            if (d == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"'
                || line.charAt(i + 1) == '\\')) {
              cur.append(line.charAt(i + 1));
              i += 2;
            } else {
              cur.append(d);
              i++;
            }
          }
        } else if (c == '\\' && i + 1 < line.length()) {
          cur.append(line.charAt(i + 1));
          i += 2;
        } else {
          cur.append(c);
          i++;
        }
      }
    }
    if (cur != null) {
      out.add(cur.toString());
    }
    return out;
  }
}
