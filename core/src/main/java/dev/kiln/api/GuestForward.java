package dev.kiln.api;

/**
 * A guest address whose TCP connections are carried to a service on the host's 127.0.0.1
 * (QEMU {@code guestfwd}), e.g. a package proxy at 10.0.2.100:3142.
 */
public record GuestForward(String guestAddress, int guestPort, int hostPort) {
  /** Refuses an address outside QEMU's 10.0.2.0/24 or a port outside 1..65535. */
  public GuestForward {
    if (!guestAddress.matches("10\\.0\\.2\\.(\\d{1,3})")) {
      throw new IllegalArgumentException("guest forwards live in QEMU's 10.0.2.0/24 network");
    }
    if (guestPort < 1 || guestPort > 65535 || hostPort < 1 || hostPort > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
  }
}
