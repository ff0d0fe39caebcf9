package dev.kiln.core.internal.ssh;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Host keys trusted on first use and then pinned for the rest of the build: a guest whose key
 * changes between connections (another machine answering on the port, or a man in the middle)
 * is refused. Reboots keep the key; generalizing removes it only in the final power-off call.
 */
final class PinnedHostKeys implements HostKeyRepository {
  private final Map<String, byte[]> pinned = new ConcurrentHashMap<>();

  @Override
  public int check(String host, byte[] key) {
    byte[] known = pinned.putIfAbsent(host, key.clone());
    if (known == null) {
      return OK; // first use: trusted and pinned
    }
    return Arrays.equals(known, key) ? OK : CHANGED;
  }

  /** Forgets a host (a new template boot is a new machine with new keys). */
  void forget(String host) {
    pinned.remove(host);
  }

  boolean isPinned(String host) {
    return pinned.containsKey(host);
  }

  @Override
  public void add(HostKey hostkey, UserInfo ui) {
    // keys are pinned in check()
  }

  @Override
  public void remove(String host, String type) {
    pinned.remove(host);
  }

  @Override
  public void remove(String host, String type, byte[] key) {
    pinned.remove(host);
  }

  @Override
  public String getKnownHostsRepositoryID() {
    return "kiln-pinned";
  }

  @Override
  public HostKey[] getHostKey() {
    return new HostKey[0];
  }

  @Override
  public HostKey[] getHostKey(String host, String type) {
    return new HostKey[0];
  }
}
