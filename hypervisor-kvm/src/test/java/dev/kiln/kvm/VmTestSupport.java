package dev.kiln.kvm;

import dev.kiln.kvm.internal.LibvirtConnection;
import dev.kiln.kvm.internal.LibvirtConnections;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * What VM tests share: a work directory QEMU (user libvirt-qemu) can reach, a libvirt
 * connection, one transient domain that is destroyed after the test whatever happened, and the
 * serial console, whose tail goes into every failure message.
 */
abstract class VmTestSupport {
  Path dir;
  Path console;
  LibvirtConnection connection;
  Domain domain;

  @BeforeEach
  void openVmSupport() throws Exception {
    dir = Files.createTempDirectory("kiln-vmtest-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    console = dir.resolve("console.log");
    connection = LibvirtConnections.open(URI.create("qemu:///system"));
  }

  @AfterEach
  void closeVmSupport() throws Exception {
    try {
      if (domain != null && domain.isActive() == 1) {
        domain.destroy();
      }
    } catch (LibvirtException ignored) {
      // a transient domain that stopped is gone already
    } finally {
      connection.close();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Starts a transient domain from {@code xml}. */
  void start(String xml) throws LibvirtException {
    domain = connection.connect().domainCreateXML(xml, 0);
  }

  boolean isActive() {
    try {
      return domain != null && domain.isActive() == 1;
    } catch (LibvirtException e) {
      return false; // a transient domain that stopped no longer exists
    }
  }

  String consoleText() throws Exception {
    return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
  }

  static String tail(String text) {
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }

  /**
   * Waits until {@code done} holds for the console text, or the guest stops, or the timeout
   * passes; returns the console text either way.
   */
  String awaitConsole(Duration timeout, Predicate<String> done) throws Exception {
    Instant end = Instant.now().plus(timeout);
    String out = consoleText();
    while (Instant.now().isBefore(end) && !done.test(out) && isActive()) {
      Thread.sleep(250);
      out = consoleText();
    }
    return consoleText();
  }
}
