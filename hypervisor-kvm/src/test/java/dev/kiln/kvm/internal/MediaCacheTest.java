package dev.kiln.kvm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.kvm.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.StoragePool;

/**
 * The media cache against a real libvirtd (this machine's, under a pool name of its own): a
 * medium goes up once and is then reused in place; a record that names another digest makes
 * the medium be replaced, not used; past the cap the least recently used medium goes.
 */
@Tag("vm")
class MediaCacheTest {
  static final String POOL = "kiln-test-cache-" + ProcessHandle.current().pid();
  Path root;
  Path dir;
  LibvirtConnection connection;

  @BeforeEach
  void open() throws Exception {
    root = Fixtures.reachableTempDir("kiln-media-remote-");
    dir = Fixtures.reachableTempDir("kiln-media-");
    connection = LibvirtConnections.open(java.net.URI.create("qemu:///system"));
  }

  @AfterEach
  void close() throws Exception {
    try {
      StoragePool pool = connection.connect().storagePoolLookupByName(POOL);
      PoolStore.removePool(pool);
    } catch (org.libvirt.LibvirtException absent) {
      // the test failed before making it
    }
    connection.close();
    Fixtures.deleteTree(dir);
    Fixtures.deleteTree(root);
  }

  @Test
  void uploadedOnceReusedAfterwardsReplacedWhenItsRecordLiesEvictedPastTheCap()
      throws Exception {
    Connect c = connection.connect();
    Path iso = medium("installer.iso", 3 << 20, 1);
    MediaCache cache = new MediaCache(c, "test-host", root, 5L << 20, POOL);
    MediaCache.Placed first = cache.place(iso);
    assertThat(first.reused()).isFalse();
    assertThat(first.sha256()).isEqualTo(MediaCache.sha256(iso));
    assertThat(first.hostPath()).isEqualTo(root.resolve("cache/" + first.sha256() + ".img"));
    assertThat(Files.mismatch(first.hostPath(), iso)).isEqualTo(-1);
    BasicFileAttributes uploaded = Files.readAttributes(first.hostPath(),
        BasicFileAttributes.class);

    MediaCache.Placed again = cache.place(iso);
    assertThat(again.reused()).isTrue();
    BasicFileAttributes now = Files.readAttributes(first.hostPath(), BasicFileAttributes.class);
    assertThat(now.fileKey()).isEqualTo(uploaded.fileKey());
    assertThat(now.lastModifiedTime()).isEqualTo(uploaded.lastModifiedTime());

    // a record naming another digest (a tampered or foreign record): replaced, never used
    Path record = root.resolve("cache/" + first.sha256() + ".sha256");
    Files.writeString(record, "sha256 " + "0".repeat(64) + " 3145728 1\n",
        StandardCharsets.UTF_8);
    Files.write(first.hostPath(), new byte[3 << 20]); // and the content, wrong too
    MediaCache.Placed replaced = cache.place(iso);
    assertThat(replaced.reused()).isFalse();
    assertThat(Files.mismatch(replaced.hostPath(), iso)).isEqualTo(-1);
    assertThat(Files.readString(record)).startsWith("sha256 " + first.sha256() + " 3145728 ");

    // a second medium takes the cache past its 5 MiB cap: the older one is evicted
    Thread.sleep(5);
    Path image = medium("cloud.qcow2", 3 << 20, 2);
    MediaCache.Placed second = cache.place(image);
    assertThat(second.reused()).isFalse();
    assertThat(second.hostPath()).exists();
    assertThat(first.hostPath()).doesNotExist();
    assertThat(record).doesNotExist();
  }

  private Path medium(String name, int size, long seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return Files.write(dir.resolve(name), b);
  }
}
