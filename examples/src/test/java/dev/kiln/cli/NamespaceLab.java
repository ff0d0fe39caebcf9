package dev.kiln.cli;

import dev.kiln.kvm.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Separate libvirt hosts on one machine, as a test needs them: each host is its own network
 * namespace (reached only over a veth pair from the client namespace, at 10.241.N.2) and its
 * own mount namespace (private /etc/libvirt, /var/lib/libvirt, /var/lib/kiln, and a tmpfs
 * /run/libvirt, so its daemon's sockets exist nowhere else), prepared by
 * {@code scripts/build-host-setup.sh} (user {@code kiln}, an sshd on the veth address only,
 * libvirtd, the media cache pool). Commands of the client (the Kiln process) run in a third
 * network namespace with a private {@code /root/.ssh} that knows the hosts' keys: its own
 * loopback is empty, and it has no route to any host's loopback; everything goes through the
 * hosts' sshd. Namespaces are named {@code kiln-lab-<pid>-…}; {@link #close} (and a shutdown
 * hook, and the next lab for a dead process's leftovers) kills every process in them and
 * deletes them. {@code scripts/test.sh} fails if one is left.
 */
final class NamespaceLab implements AutoCloseable {
  static final String PREFIX = "kiln-lab-";

  final Path dir;
  final String client;
  final List<String> hosts = new ArrayList<>();
  final Path clientKey;
  private final Path clientSsh;
  private final Thread reaper;
  private boolean madeRootSsh;

  private NamespaceLab(Path dir, String client) {
    this.dir = dir;
    this.client = client;
    this.clientKey = dir.resolve("client_key");
    this.clientSsh = dir.resolve("client-ssh");
    this.reaper = new Thread(this::reap, "namespace-lab-reaper");
  }

  /** Creates the client namespace and {@code count} host namespaces with their daemons. */
  static NamespaceLab start(int count) throws Exception {
    reapDeadLabs();
    long pid = ProcessHandle.current().pid();
    Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "kiln-lab-");
    NamespaceLab lab = new NamespaceLab(dir, PREFIX + pid + "-client");
    Runtime.getRuntime().addShutdownHook(lab.reaper);
    try {
      sh("ip netns add " + lab.client + " && ip -n " + lab.client + " link set lo up");
      sh("ssh-keygen -q -t ed25519 -N '' -C kiln-lab -f " + lab.clientKey);
      Files.createDirectories(lab.clientSsh);
      StringBuilder knownHosts = new StringBuilder();
      for (int i = 1; i <= count; i++) {
        String ns = PREFIX + pid + "-h" + i;
        lab.hosts.add(ns);
        lab.startHost(i, ns);
        String[] key = Files.readString(dir.resolve("h" + i + "/state/ssh_host_ed25519_key.pub"))
            .split(" ");
        knownHosts.append(address(i)).append(' ').append(key[0]).append(' ').append(key[1])
            .append('\n');
      }
      Files.writeString(lab.clientSsh.resolve("known_hosts"), knownHosts);
      sh("chmod 700 " + lab.clientSsh + " && chmod 600 " + lab.clientSsh + "/known_hosts");
      return lab;
    } catch (Exception e) {
      lab.close();
      throw e;
    }
  }

  /** Host {@code i}'s address on its veth pair (1-based). */
  static String address(int i) {
    return "10.241." + i + ".2";
  }

  /** A libvirt URI reaching host {@code i} as Kiln's user, verified by the client's known hosts. */
  String libvirtUri(int i) {
    return "qemu+ssh://kiln@" + address(i) + "/system?keyfile=" + clientKey;
  }

  /** Host {@code i}'s /var/lib/kiln, seen from outside (the test's view, not Kiln's). */
  Path kilnDir(int i) {
    return dir.resolve("h" + i + "/kiln");
  }

  private void startHost(int i, String ns) throws Exception {
    Path h = dir.resolve("h" + i);
    String peer = "kl" + i + "c-" + (ProcessHandle.current().pid() % 100000);
    String inside = "kl" + i + "h-" + (ProcessHandle.current().pid() % 100000);
    sh(String.join(" && ", "ip netns add " + ns, "ip -n " + ns + " link set lo up",
        "ip link add " + inside + " type veth peer name " + peer,
        "ip link set " + inside + " netns " + ns, "ip link set " + peer + " netns " + client,
        "ip -n " + ns + " addr add " + address(i) + "/30 dev " + inside,
        "ip -n " + client + " addr add 10.241." + i + ".1/30 dev " + peer,
        "ip -n " + ns + " link set " + inside + " up", "ip -n " + client + " link set " + peer
            + " up"));
    // the host's own libvirt state: configuration without domains, pools or autostarted
    // networks; empty state directories; QEMU's capability cache (so it is not probed again)
    sh(String.join(" && ", "mkdir -p " + h + "/state " + h + "/kiln " + h + "/log",
        "cp -a /etc/libvirt " + h + "/etc",
        "rm -rf " + h + "/etc/qemu/*.xml " + h + "/etc/storage/* " + h
            + "/etc/qemu/networks/autostart/*",
        "(cd /var/lib/libvirt && find . -type d) | while read -r d; do mkdir -p " + h
            + "/lib/$d; chown --reference=/var/lib/libvirt/$d " + h + "/lib/$d; chmod "
            + "--reference=/var/lib/libvirt/$d " + h + "/lib/$d; done",
        "mkdir -p " + h + "/cache && cp -a /var/cache/libvirt/. " + h + "/cache/",
        "mkdir -p /var/lib/kiln"));
    String script = Path.of(System.getProperty("kiln.repo", repoRoot().toString()))
        .resolve("scripts/build-host-setup.sh").toString();
    String setup = String.join(" && ", "mount -t tmpfs -o mode=755 tmpfs /run/libvirt",
        "mount --bind " + h + "/etc /etc/libvirt", "mount --bind " + h + "/lib /var/lib/libvirt",
        "mount --bind " + h + "/cache /var/cache/libvirt",
        "mount --bind " + h + "/log /var/log/libvirt", "mount --bind " + h + "/kiln /var/lib/kiln",
        "bash " + script + " --no-install --state-dir " + h + "/state --listen " + address(i)
            + " --authorize " + clientKey + ".pub");
    Fixtures.Result r = Fixtures.run(List.of("ip", "netns", "exec", ns, "unshare", "--mount",
        "--propagation", "private", "bash", "-c", setup), 300);
    Files.writeString(h.resolve("setup.log"), r.output());
    if (r.exit() != 0) {
      throw new IllegalStateException("host " + ns + " did not come up: " + r.output());
    }
  }

  /**
   * A process in the client namespace, with the hosts' keys as its {@code ~/.ssh/known_hosts}
   * (a bind mount in its own mount namespace); output to {@code log}.
   */
  Process startInClient(List<String> command, Path log) throws IOException {
    Path rootSsh = Path.of("/root/.ssh");
    if (!Files.isDirectory(rootSsh)) { // a mount point is needed; removed again on close
      Files.createDirectory(rootSsh);
      madeRootSsh = true;
    }
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", client, "unshare",
        "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$0\" /root/.ssh && exec \"$@\"", clientSsh.toString()));
    argv.addAll(command);
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
  }

  /** Runs a shell command in the client namespace (as the Kiln process would see the world). */
  Fixtures.Result inClient(String command) throws Exception {
    return Fixtures.run(List.of("ip", "netns", "exec", client, "sh", "-c", command), 60);
  }

  /** Stops host {@code i}'s libvirtd and sshd (every session) at once, as a crash would. */
  void stopDaemons(int i) throws Exception {
    List<Long> daemons = new ArrayList<>();
    for (long pid : pids(hosts.get(i - 1))) {
      try {
        if (Set.of("libvirtd", "sshd").contains(Files.readString(Path.of("/proc/" + pid
            + "/comm")).strip())) {
          daemons.add(pid);
        }
      } catch (java.nio.file.NoSuchFileException exited) {
        // it ended while we looked
      }
    }
    sh("kill -9 " + daemons.stream().map(String::valueOf).reduce((a, b) -> a + " " + b)
        .orElse("") + " 2>/dev/null || true");
  }

  private static List<Long> pids(String ns) throws Exception {
    Fixtures.Result r = Fixtures.run(List.of("ip", "netns", "pids", ns), 30);
    return r.output().lines().filter(l -> l.matches("\\d+")).map(Long::parseLong).toList();
  }

  private static void removeNamespace(String ns) {
    try {
      for (int round = 0; round < 3; round++) {
        List<Long> left = pids(ns);
        if (left.isEmpty()) {
          break;
        }
        for (long pid : left) {
          sh("kill -9 " + pid + " 2>/dev/null || true");
        }
        Thread.sleep(300);
      }
      sh("ip netns del " + ns + " 2>/dev/null || true");
    } catch (Exception e) {
      System.err.println("namespace lab: could not remove " + ns + ": " + e.getMessage());
    }
  }

  /** Namespaces of labs whose process is gone (killed before it could close them). */
  private static void reapDeadLabs() throws Exception {
    Fixtures.Result r = Fixtures.run(List.of("ip", "netns", "list"), 30);
    for (String line : r.output().lines().toList()) {
      String ns = line.split(" ")[0];
      if (ns.startsWith(PREFIX)) {
        long owner = Long.parseLong(ns.substring(PREFIX.length()).split("-")[0]);
        if (ProcessHandle.of(owner).isEmpty()) {
          removeNamespace(ns);
        }
      }
    }
  }

  private synchronized void reap() {
    hosts.forEach(NamespaceLab::removeNamespace);
    removeNamespace(client);
    try {
      sh("rm -rf " + dir);
      if (madeRootSsh) {
        Files.deleteIfExists(Path.of("/root/.ssh"));
        madeRootSsh = false;
      }
    } catch (Exception e) {
      System.err.println("namespace lab: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    reap();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private static void sh(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(command + ": " + out);
    }
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("scripts/build-host-setup.sh"))) {
      p = p.getParent();
    }
    return p;
  }
}
