package dev.kiln.formats.initrd;

import dev.kiln.formats.io.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Adds files to an installer's initrd without unpacking it: the original (compressed or not)
 * is copied, padded to four bytes, and followed by a gzip-compressed newc cpio archive holding
 * the new files, owned by root. Linux unpacks concatenated initramfs archives in order, so the
 * files appear in the installer's root (this is how virt-install's --initrd-inject works).
 */
public final class InitrdInjector {
  private InitrdInjector() {}

  /**
   * Writes {@code initrd} plus {@code files} (path in the initramfs to content) to
   * {@code destination}, atomically. Returns the offset where the appended archive starts.
   */
  public static long inject(Path initrd, Map<String, byte[]> files, Path destination)
      throws IOException {
    byte[] archive = cpioGzip(files);
    try (FileChannel in = FileChannel.open(initrd, StandardOpenOption.READ);
        AtomicFile out = AtomicFile.create(destination)) {
      long size = in.size();
      long done = 0;
      while (done < size) {
        done += in.transferTo(done, size - done, out.channel().position(done));
      }
      long start = (size + 3) & ~3L; // archives start on a 4-byte boundary; zeros are skipped
      ByteBuffer tail = ByteBuffer.allocate((int) (start - size) + archive.length);
      tail.position((int) (start - size));
      tail.put(archive).flip();
      long pos = size;
      while (tail.hasRemaining()) {
        pos += out.channel().write(tail, pos);
      }
      out.commit();
      return start;
    }
  }

  /**
   * A gzip-compressed newc archive of {@code files}, parent directories included: what
   * {@link #inject} appends (usable on its own as a second initrd).
   */
  public static byte[] cpioGzip(Map<String, byte[]> files) throws IOException {
    Map<String, byte[]> sorted = new TreeMap<>(files);
    Set<String> dirs = new LinkedHashSet<>();
    for (String path : sorted.keySet()) {
      String p = check(path);
      for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
        dirs.add(p.substring(0, i));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes);
        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(gz,
            CpioConstants.FORMAT_NEW)) {
      long inode = 1_000_000; // far from the original archive's numbers
      for (String dir : dirs) {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, dir, 0);
        e.setMode(CpioConstants.C_ISDIR | 0755);
        e.setNumberOfLinks(2);
        e.setInode(inode++);
        cpio.putArchiveEntry(e);
        cpio.closeArchiveEntry();
      }
      for (Map.Entry<String, byte[]> f : sorted.entrySet()) {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, check(f.getKey()),
            f.getValue().length);
        e.setMode(CpioConstants.C_ISREG | 0644);
        e.setNumberOfLinks(1);
        e.setInode(inode++);
        cpio.putArchiveEntry(e);
        cpio.write(f.getValue());
        cpio.closeArchiveEntry();
      }
      cpio.finish();
    }
    return bytes.toByteArray();
  }

  private static String check(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    for (String part : p.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("bad path in initrd: " + path);
      }
    }
    return p;
  }
}
