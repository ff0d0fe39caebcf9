package dev.kiln.kvm.internal;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * The client process that owns a machine: host name, pid and the process's start time (so a
 * reused pid is not mistaken for the owner). Used where no file lock can tell, i.e. for
 * machines on remote hosts.
 */
record OwnerRecord(String client, long pid, Instant started) {
  static OwnerRecord current() {
    ProcessHandle self = ProcessHandle.current();
    return new OwnerRecord(localHostName(), self.pid(),
        self.info().startInstant().orElse(Instant.EPOCH));
  }

  static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  byte[] toBytes() {
    return ("client=" + client + "\npid=" + pid + "\nstarted=" + started + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Optional<OwnerRecord> parse(String text) {
    String client = null;
    Long pid = null;
    Instant started = null;
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String value = line.substring(eq + 1).strip();
      try {
        switch (line.substring(0, eq)) {
          case "client" -> client = value;
          case "pid" -> pid = Long.parseLong(value);
          case "started" -> started = Instant.parse(value);
          default -> { }
        }
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
    return client == null || pid == null || started == null ? Optional.empty()
        : Optional.of(new OwnerRecord(client, pid, started));
  }

  /**
   * Whether the owner is certainly gone: it ran on this host and no process with its pid and
   * start time exists. An owner on another host is never declared gone.
   */
  boolean isGoneFromThisHost() {
    if (!client.equals(localHostName())) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    return p.isEmpty() || !p.get().isAlive()
        || !p.get().info().startInstant().orElse(Instant.EPOCH).equals(started);
  }
}
