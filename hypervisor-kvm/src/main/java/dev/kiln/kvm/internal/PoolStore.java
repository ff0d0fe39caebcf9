package dev.kiln.kvm.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.Stream;

/**
 * A machine's files on a remote libvirt host: a directory storage pool named
 * {@code kiln-<machine>} under the remote work root. Files go up with storage-volume upload
 * streams and come back with download streams, so nothing but the libvirt connection (e.g.
 * {@code qemu+ssh}) is needed. A small {@code kiln-owner} volume names the client process, so
 * {@code kiln clean} can tell a killed build's pool from a live one.
 */
final class PoolStore implements MachineStore {
  static final String POOL_PREFIX = "kiln-";
  static final String OWNER_VOLUME = "kiln-owner";
  private static final int CHUNK = 1 << 20;

  private final Connect connect;
  private final StoragePool pool;
  private final Path hostDir;
  private final MachineDirectory scratch;
  private final MediaCache media;

  private PoolStore(Connect connect, StoragePool pool, Path hostDir, MachineDirectory scratch,
      MediaCache media) {
    this.media = media;
    this.connect = connect;
    this.pool = pool;
    this.hostDir = hostDir;
    this.scratch = scratch;
  }

  static PoolStore create(Connect connect, String machine, Path remoteRoot,
      MachineDirectory scratch, MediaCache media) throws IOException {
    Path hostDir = remoteRoot.resolve(KvmMachines.MACHINES).resolve(machine);
    Xml xml = Xml.root("pool").attr("type", "dir");
    xml.text("name", POOL_PREFIX + machine);
    Xml target = xml.child("target");
    target.text("path", hostDir.toString());
    target.child("permissions").text("mode", "0755");
    try {
      StoragePool pool = connect.storagePoolDefineXML(xml.serialize(), 0);
      try {
        pool.build(0);
        pool.create(0);
      } catch (LibvirtException e) {
        pool.undefine();
        throw e;
      }
      PoolStore store = new PoolStore(connect, pool, hostDir, scratch, media);
      store.upload(OwnerRecord.current().toBytes(), OWNER_VOLUME);
      return store;
    } catch (LibvirtException e) {
      throw new IOException("cannot create storage pool " + POOL_PREFIX + machine + " at "
          + hostDir + " on the remote host: " + e.getMessage(), e);
    }
  }

  @Override
  public Path place(Path local, String name) throws IOException {
    try {
      return Path.of(uploadFile(connect, pool, local, name).getPath());
    } catch (LibvirtException e) {
      throw new IOException("uploading " + local + " to the remote host: " + e.getMessage(), e);
    }
  }

  /** Creates volume {@code name} in {@code pool} and streams {@code local} into it. */
  static StorageVol uploadFile(Connect connect, StoragePool pool, Path local, String name)
      throws IOException, LibvirtException {
    long size = Files.size(local);
    StorageVol vol = createVolume(pool, name, size);
    Stream stream = connect.streamNew(0);
    vol.upload(stream, 0, size, 0);
    try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      while (in.read(buf.clear()) > 0) {
        sendAll(stream, Arrays.copyOf(buf.array(), buf.position()));
      }
      stream.finish();
    } catch (IOException | LibvirtException e) {
      stream.abort();
      throw e;
    } finally {
      stream.free();
    }
    return vol;
  }

  private void upload(byte[] content, String name) throws LibvirtException, IOException {
    upload(connect, pool, content, name);
  }

  /** Creates volume {@code name} in {@code pool} holding {@code content}. */
  static void upload(Connect connect, StoragePool pool, byte[] content, String name)
      throws LibvirtException, IOException {
    StorageVol vol = createVolume(pool, name, content.length);
    Stream stream = connect.streamNew(0);
    vol.upload(stream, 0, content.length, 0);
    sendAll(stream, content);
    stream.finish();
    stream.free();
  }

  private static void sendAll(Stream stream, byte[] data) throws LibvirtException, IOException {
    int off = 0;
    while (off < data.length) {
      int n = stream.send(off == 0 ? data : Arrays.copyOfRange(data, off, data.length));
      if (n <= 0) {
        throw new IOException("the upload stream stopped accepting data");
      }
      off += n;
    }
  }

  private StorageVol createVolume(String name, long capacity) throws LibvirtException {
    return createVolume(pool, name, capacity);
  }

  static StorageVol createVolume(StoragePool pool, String name, long capacity)
      throws LibvirtException {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("volume name: " + name);
    }
    Xml xml = Xml.root("volume");
    xml.text("name", name);
    xml.child("capacity").attr("unit", "bytes").text(Long.toString(capacity));
    // every file is a plain byte container to libvirt; the domain says what format it holds
    xml.child("target").child("format").attr("type", "raw");
    return pool.storageVolCreateXML(xml.serialize(), 0);
  }

  @Override
  public java.util.Optional<MediaCache.Placed> placeMedium(Path local) throws IOException {
    return java.util.Optional.of(media.place(local));
  }

  @Override
  public Path hostFile(String name) throws IOException {
    try {
      try {
        pool.storageVolLookupByName(name).delete(0); // a restarted guest starts a fresh file
      } catch (LibvirtException absent) {
        // first start
      }
      return Path.of(createVolume(name, 0).getPath());
    } catch (LibvirtException e) {
      throw new IOException("creating " + name + " on the remote host: " + e.getMessage(), e);
    }
  }

  @Override
  public ConsoleFollower.Source reader(String name) {
    return (position, buffer) -> {
      try {
        return download(name, position, buffer);
      } catch (LibvirtException e) {
        throw new IOException("reading " + name + " from the remote host: " + e.getMessage(), e);
      }
    };
  }

  /** Up to {@code buffer.length} bytes of a volume from {@code position}. */
  private int download(String name, long position, byte[] buffer) throws LibvirtException {
    return download(connect, pool, name, position, buffer);
  }

  static int download(Connect connect, StoragePool pool, String name, long position,
      byte[] buffer) throws LibvirtException {
    StorageVol vol = pool.storageVolLookupByName(name);
    Stream stream = connect.streamNew(0);
    vol.download(stream, position, buffer.length, 0);
    int total = 0;
    try {
      byte[] chunk = new byte[buffer.length];
      int n;
      while (total < buffer.length && (n = stream.receive(chunk)) > 0) {
        int take = Math.min(n, buffer.length - total);
        System.arraycopy(chunk, 0, buffer, total, take);
        total += take;
      }
      stream.finish();
    } catch (LibvirtException e) {
      stream.abort();
      throw e;
    } finally {
      stream.free();
    }
    return total;
  }

  @Override
  public void fetch(String name, Path destination) throws IOException {
    Path partial = destination.resolveSibling(destination.getFileName() + ".partial");
    try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      StorageVol vol = pool.storageVolLookupByName(name);
      Stream stream = connect.streamNew(0);
      vol.download(stream, 0, 0, 0);
      try {
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = stream.receive(chunk)) > 0) {
          ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
          while (b.hasRemaining()) {
            out.write(b);
          }
        }
        stream.finish();
      } catch (LibvirtException e) {
        stream.abort();
        throw e;
      } finally {
        stream.free();
      }
      out.force(true);
    } catch (LibvirtException e) {
      Files.deleteIfExists(partial);
      throw new IOException("downloading " + name + " from the remote host: " + e.getMessage(),
          e);
    } catch (IOException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public Path hostDirectory() {
    return hostDir;
  }

  @Override
  public boolean isLocal() {
    return false;
  }

  @Override
  public Path scratch() {
    return scratch.path();
  }

  @Override
  public void close() throws IOException {
    try {
      removePool(pool);
    } catch (LibvirtException e) {
      throw new IOException("removing storage pool of " + hostDir + ": " + e.getMessage(), e);
    } finally {
      scratch.close();
    }
  }

  /** Deletes every volume, then the pool's directory and definition. */
  static void removePool(StoragePool pool) throws LibvirtException {
    if (pool.isActive() == 0) {
      pool.create(0);
    }
    pool.refresh(0);
    for (String v : pool.listVolumes()) {
      pool.storageVolLookupByName(v).delete(0);
    }
    pool.destroy();
    pool.delete(0);
    pool.undefine();
  }

  /** The owner of a pool as recorded in its {@code kiln-owner} volume. */
  static String readOwner(Connect connect, StoragePool pool) throws LibvirtException {
    byte[] buf = new byte[4096];
    int n = download(connect, pool, OWNER_VOLUME, 0, buf);
    return new String(buf, 0, n, StandardCharsets.UTF_8);
  }
}
