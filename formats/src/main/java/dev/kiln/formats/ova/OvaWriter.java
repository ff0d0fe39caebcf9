package dev.kiln.formats.ova;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.io.AtomicFile;
import dev.kiln.formats.io.Converter;
import dev.kiln.formats.pack.Checksums;
import dev.kiln.formats.pack.PackagedFile;
import dev.kiln.formats.pack.Packager;
import dev.kiln.formats.vmdk.VmdkOptions;
import dev.kiln.formats.vmdk.VmdkStreamWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.function.LongConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes an OVA for VMware: a ustar archive holding the OVF descriptor first, then the SHA-256
 * manifest, then the stream-optimized VMDK. The disk is written first to a temporary file
 * beside the OVA (the manifest, which precedes it, needs its digest); the OVA appears under its
 * name only when whole.
 */
public final class OvaWriter {
  private OvaWriter() {}

  /** Converts {@code source} into {@code ova} described by {@code spec}. */
  public static PackagedFile write(DiskImage source, Path ova, OvfSpec spec, int threads,
      Instant modified, LongConsumer progress) throws IOException {
    dev.kiln.formats.FormatLimits.check(dev.kiln.formats.ImageFormat.OVA, OvaCodec.MAX_VIRTUAL_SIZE,
        source.virtualSize());
    String base = spec.name().replaceAll("[^A-Za-z0-9._-]", "_");
    String ovfName = base + ".ovf";
    String mfName = base + ".mf";
    String diskName = base + "-disk1.vmdk";
    Path vmdk = dev.kiln.formats.io.TemporaryFiles.register(
        ova.resolveSibling(ova.getFileName() + ".vmdk.partial"));
    try {
      long capacity;
      long populated;
      try (VmdkStreamWriter w = VmdkStreamWriter.create(vmdk, source.virtualSize(),
          new VmdkOptions(diskName, spec.scsiController().equals("VirtualSCSI") ? "pvscsi"
              : "lsilogic", 14, (int) (modified.getEpochSecond() & 0x7fffffff), threads))) {
        Converter.convert(source, w, progress);
        capacity = w.capacity();
        populated = w.populatedSize();
      }
      long diskSize = Files.size(vmdk);
      String ovf = OvfDescriptor.write(spec, diskName, diskSize, capacity, populated);
      byte[] ovfBytes = ovf.getBytes(StandardCharsets.UTF_8);
      String manifest = "SHA256(" + ovfName + ")= " + sha256(ovfBytes) + "\n"
          + "SHA256(" + diskName + ")= " + Packager.checksum(vmdk).get("SHA-256") + "\n";
      byte[] mfBytes = manifest.getBytes(StandardCharsets.UTF_8);
      Checksums sums = new Checksums();
      long[] written = {0};
      try (AtomicFile out = AtomicFile.create(ova)) {
        OutputStream counting = new FilterOutputStream(Channels.newOutputStream(out.channel())) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sums.update(b, off, len);
            written[0] += len;
          }

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void close() {
            // the AtomicFile owns the channel
          }
        };
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(counting)) {
          tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_ERROR);
          tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR); // disks over 8 GiB
          add(tar, ovfName, ovfBytes.length, modified);
          tar.write(ovfBytes);
          tar.closeArchiveEntry();
          add(tar, mfName, mfBytes.length, modified);
          tar.write(mfBytes);
          tar.closeArchiveEntry();
          add(tar, diskName, diskSize, modified);
          Files.copy(vmdk, tar);
          tar.closeArchiveEntry();
          tar.finish();
        }
        out.commit();
      }
      return new PackagedFile(ova, written[0], sums.finish());
    } finally {
      dev.kiln.formats.io.TemporaryFiles.delete(vmdk);
    }
  }

  private static void add(TarArchiveOutputStream tar, String name, long size, Instant modified)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0100644);
    e.setModTime(Date.from(modified));
    e.setUserId(64);
    e.setGroupId(64);
    e.setUserName("someone");
    e.setGroupName("someone");
    tar.putArchiveEntry(e);
  }

  private static String sha256(byte[] data) {
    Checksums c = new Checksums();
    c.update(data, 0, data.length);
    return c.finish().get("SHA-256");
  }
}
