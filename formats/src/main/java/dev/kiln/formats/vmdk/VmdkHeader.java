package dev.kiln.formats.vmdk;

import static dev.kiln.formats.vmdk.VmdkConstants.SECTOR;

import dev.kiln.formats.FormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 512-byte SparseExtentHeader, little-endian; {@link #write} and {@link #read} mirror each
 * other.
 */
record VmdkHeader(int version, int flags, long capacity, long grainSize, long descriptorOffset,
    long descriptorSize, int numGtesPerGt, long rgdOffset, long gdOffset, long overHead,
    int compressAlgorithm) {

  ByteBuffer write() {
    ByteBuffer b = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(VmdkConstants.SPARSE_MAGICNUMBER).putInt(version).putInt(flags).putLong(capacity)
        .putLong(grainSize).putLong(descriptorOffset).putLong(descriptorSize)
        .putInt(numGtesPerGt).putLong(rgdOffset).putLong(gdOffset).putLong(overHead);
    b.put((byte) 0); // uncleanShutdown
    b.put((byte) '\n').put((byte) ' ').put((byte) '\r').put((byte) '\n');
    b.putShort((short) compressAlgorithm);
    return b.clear();
  }

  static VmdkHeader read(ByteBuffer src, long at) throws FormatException {
    ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < SECTOR || b.getInt(0) != VmdkConstants.SPARSE_MAGICNUMBER) {
      throw new FormatException("not a sparse VMDK extent", "magicNumber", at);
    }
    VmdkHeader h = new VmdkHeader(b.getInt(4), b.getInt(8), b.getLong(12), b.getLong(20),
        b.getLong(28), b.getLong(36), b.getInt(44), b.getLong(48), b.getLong(56),
        b.getLong(64), Short.toUnsignedInt(b.getShort(77)));
    if (h.version < 1 || h.version > 3) {
      throw new FormatException("version " + h.version, "version", at + 4);
    }
    if (h.grainSize < 8 || h.grainSize > 2048 || Long.bitCount(h.grainSize) != 1) {
      throw new FormatException("grain size " + h.grainSize + " sectors", "grainSize", at + 20);
    }
    if (h.capacity < 0 || h.capacity > (64L << 40) / SECTOR) {
      throw new FormatException("capacity " + h.capacity + " sectors is absurd", "capacity",
          at + 12);
    }
    if (h.numGtesPerGt != 512) {
      throw new FormatException("numGTEsPerGT " + h.numGtesPerGt, "numGTEsPerGT", at + 44);
    }
    return h;
  }
}
