package dev.kiln.kvm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * A remote host's media cache: verified ISOs and cloud images as content-addressed volumes of
 * the directory pool {@value #POOL}, each named by its SHA-256 ({@code <hex>.img}), beside a
 * record volume ({@code <hex>.sha256}: digest, size, last use) written only after the upload
 * completed. A medium whose record is missing or names another digest or size is deleted and
 * uploaded again, never used. Past the size cap the least
 * recently used media are evicted (never the one just placed). Uploads of one medium to one
 * host are serialized within this process.
 */
public final class MediaCache {
  public static final String POOL = "kiln-cache";
  static final String IMAGE_SUFFIX = ".img";
  static final String RECORD_SUFFIX = ".sha256";
  /** The cap when none is given: room for a few dozen installer ISOs and cloud images. */
  public static final long DEFAULT_CAP_BYTES = 64L << 30;

  private static final Map<String, Object> UPLOAD_LOCKS = new ConcurrentHashMap<>();
  private static final Map<String, String> DIGESTS = new ConcurrentHashMap<>();

  /** One medium placed on the host. */
  record Placed(Path hostPath, String sha256, long bytes, boolean reused) {}

  private final Connect connect;
  private final String host;
  private final Path remoteRoot;
  private final long capBytes;
  private final String poolName;

  MediaCache(Connect connect, String host, Path remoteRoot, long capBytes) {
    this(connect, host, remoteRoot, capBytes, POOL);
  }

  /** With another pool name: for tests against a shared libvirtd. */
  MediaCache(Connect connect, String host, Path remoteRoot, long capBytes, String poolName) {
    this.poolName = poolName;
    this.connect = connect;
    this.host = host;
    this.remoteRoot = remoteRoot;
    this.capBytes = capBytes;
  }

  /** Makes {@code local} available on the host, uploading it only if the cache lacks it. */
  Placed place(Path local) throws IOException {
    String sha256 = sha256(local);
    long size = Files.size(local);
    synchronized (UPLOAD_LOCKS.computeIfAbsent(host + "/" + sha256, k -> new Object())) {
      try {
        StoragePool pool = pool();
        pool.refresh(0);
        String image = sha256 + IMAGE_SUFFIX;
        String record = sha256 + RECORD_SUFFIX;
        Optional<StorageVol> cached = volume(pool, image);
        // the record is the commit mark (written after a complete upload, deleted before a
        // replacement); the volume's capacity cannot confirm the size, since libvirt reports
        // a qcow2 file's virtual size there
        boolean valid = cached.isPresent()
            && readRecord(pool, record).map(r -> r.matches(sha256, size)).orElse(false);
        if (!valid) {
          delete(pool, record); // the record first: a half-replaced medium is never valid
          delete(pool, image);
          cached = Optional.of(PoolStore.uploadFile(connect, pool, local, image));
        }
        delete(pool, record);
        PoolStore.upload(connect, pool, new Record(sha256, size, System.currentTimeMillis())
            .toBytes(), record);
        evict(pool, sha256);
        return new Placed(Path.of(cached.get().getPath()), sha256, size, valid);
      } catch (LibvirtException e) {
        throw new IOException("placing " + local.getFileName() + " in the media cache of "
            + host + ": " + e.getMessage(), e);
      }
    }
  }

  /** Removes every medium (kiln clean --cache); returns the volumes removed. */
  public static List<String> clear(Connect connect, boolean dryRun) throws LibvirtException {
    List<String> removed = new ArrayList<>();
    StoragePool pool;
    try {
      pool = connect.storagePoolLookupByName(POOL);
    } catch (LibvirtException absent) {
      return removed;
    }
    if (pool.isActive() == 0) {
      pool.create(0);
    }
    pool.refresh(0);
    for (String v : pool.listVolumes()) {
      if (!dryRun) {
        pool.storageVolLookupByName(v).delete(0);
      }
      removed.add(v);
    }
    return removed;
  }

  private StoragePool pool() throws LibvirtException {
    StoragePool pool;
    try {
      pool = connect.storagePoolLookupByName(poolName);
    } catch (LibvirtException absent) { // scripts/build-host-setup.sh makes it; else here
      Xml xml = Xml.root("pool").attr("type", "dir");
      xml.text("name", poolName);
      Xml target = xml.child("target");
      target.text("path", remoteRoot.resolve("cache").toString());
      target.child("permissions").text("mode", "0755");
      pool = connect.storagePoolDefineXML(xml.serialize(), 0);
      pool.build(0);
      pool.setAutostart(1);
    }
    if (pool.isActive() == 0) {
      pool.create(0);
    }
    return pool;
  }

  private void evict(StoragePool pool, String keep) throws LibvirtException {
    List<Record> records = new ArrayList<>();
    long total = 0;
    for (String v : pool.listVolumes()) {
      if (v.endsWith(RECORD_SUFFIX)) {
        Optional<Record> r = readRecord(pool, v);
        if (r.isPresent()) {
          records.add(r.get());
          total += r.get().size();
        }
      }
    }
    records.sort(Comparator.comparingLong(Record::lastUsedMillis));
    for (Record r : records) {
      if (total <= capBytes) {
        break;
      }
      if (!r.sha256().equals(keep)) {
        delete(pool, r.sha256() + RECORD_SUFFIX);
        delete(pool, r.sha256() + IMAGE_SUFFIX);
        total -= r.size();
      }
    }
  }

  private Optional<Record> readRecord(StoragePool pool, String name) throws LibvirtException {
    if (volume(pool, name).isEmpty()) {
      return Optional.empty();
    }
    byte[] buf = new byte[512];
    int n = PoolStore.download(connect, pool, name, 0, buf);
    return Record.parse(new String(buf, 0, n, StandardCharsets.UTF_8));
  }

  private static Optional<StorageVol> volume(StoragePool pool, String name) {
    try {
      return Optional.of(pool.storageVolLookupByName(name));
    } catch (LibvirtException absent) {
      return Optional.empty();
    }
  }

  private static void delete(StoragePool pool, String name) throws LibvirtException {
    Optional<StorageVol> v = volume(pool, name);
    if (v.isPresent()) {
      v.get().delete(0);
    }
  }

  /** The SHA-256 of a local file, remembered while its size and modification time stay. */
  static String sha256(Path file) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(file);
    String key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + mtime.toMillis();
    String known = DIGESTS.get(key);
    if (known != null) {
      return known;
    }
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      String hex = HexFormat.of().formatHex(md.digest());
      DIGESTS.put(key, hex);
      return hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a record volume says: {@code sha256 <hex> <size> <last use, epoch ms>}. */
  record Record(String sha256, long size, long lastUsedMillis) {
    byte[] toBytes() {
      return ("sha256 " + sha256 + " " + size + " " + lastUsedMillis + "\n")
          .getBytes(StandardCharsets.UTF_8);
    }

    boolean matches(String digest, long bytes) {
      return sha256.equals(digest) && size == bytes;
    }

    static Optional<Record> parse(String text) {
      String[] f = text.strip().split(" ");
      if (f.length != 4 || !f[0].equals("sha256") || !f[1].matches("[0-9a-f]{64}")) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Record(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
  }
}
