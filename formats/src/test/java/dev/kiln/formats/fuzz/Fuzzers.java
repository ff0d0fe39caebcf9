package dev.kiln.formats.fuzz;

import java.io.IOException;

/**
 * Entry points for Jazzer's standalone driver ({@code scripts/fuzz.sh}), one per reader
 * family: the driver calls {@code fuzzerTestOneInput} with each input it generates.
 */
public final class Fuzzers {
  private Fuzzers() {}

  /** qcow2, VHD, VHDX, VMDK, raw and OVA detection: the disk readers. */
  public static final class Disk {
    public static void fuzzerTestOneInput(byte[] data) throws IOException {
      ReaderTargets.disk(data);
    }
  }

  /** ISO 9660 with Rock Ridge, Joliet and El Torito. */
  public static final class Iso {
    public static void fuzzerTestOneInput(byte[] data) throws IOException {
      ReaderTargets.iso(data);
    }
  }

  /** OVA: tar structure, the OVF descriptor's XML, the manifest. */
  public static final class Ova {
    public static void fuzzerTestOneInput(byte[] data) throws IOException {
      ReaderTargets.ova(data);
    }
  }
}
