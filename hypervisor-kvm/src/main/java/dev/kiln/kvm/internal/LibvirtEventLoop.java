package dev.kiln.kvm.internal;

import org.libvirt.Library;
import org.libvirt.LibvirtException;

/**
 * libvirt's default event loop, started once per JVM on a daemon thread. It must run before a
 * connection is opened for that connection to deliver domain lifecycle events, so
 * {@link LibvirtConnections#open} starts it.
 */
final class LibvirtEventLoop {
  private static boolean started;

  private LibvirtEventLoop() {}

  static synchronized void ensureStarted() throws LibvirtException {
    if (started) {
      return;
    }
    Library.initEventLoop();
    Thread loop = new Thread(() -> {
      try {
        Library.runEventLoop();
      } catch (LibvirtException | InterruptedException e) {
        // the loop only ends with the JVM; nothing useful to do with a failure here
      }
    }, "kiln-libvirt-events");
    loop.setDaemon(true);
    loop.start();
    started = true;
  }
}
