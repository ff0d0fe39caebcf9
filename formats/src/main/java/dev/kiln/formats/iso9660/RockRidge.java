package dev.kiln.formats.iso9660;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * System Use Sharing Protocol (SUSP 1.12) and Rock Ridge (RRIP 1.10, "RRIP_1991A") entries:
 * SP, CE and ER for the root, PX, NM, TF and SL for every record.
 */
final class RockRidge {
  static final String EXTENSION_ID = "RRIP_1991A";
  static final String EXTENSION_DESCRIPTOR = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES "
      + "SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
  static final String EXTENSION_SOURCE = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION "
      + "SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT "
      + "INFORMATION.";
  /** Longest name kept without a continuation area: the whole record must fit 255 bytes. */
  static final int MAX_NAME_BYTES = 150;

  private RockRidge() {}

  /** SP: marks SUSP in use; only in the root's "." record. */
  static byte[] sp() {
    return new byte[] {'S', 'P', 7, 1, (byte) 0xBE, (byte) 0xEF, 0};
  }

  /** CE: the rest of the system use area continues at {@code lba}+{@code offset}. */
  static byte[] ce(long lba, long offset, long length) {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.put(new byte[] {'C', 'E', 28, 1});
    IsoBytes.putBoth32(b, 4, lba);
    IsoBytes.putBoth32(b, 12, offset);
    IsoBytes.putBoth32(b, 20, length);
    return b.array();
  }

  /** ER: names the extension (Rock Ridge) this image uses. */
  static byte[] er() {
    byte[] id = EXTENSION_ID.getBytes(StandardCharsets.US_ASCII);
    byte[] des = EXTENSION_DESCRIPTOR.getBytes(StandardCharsets.US_ASCII);
    byte[] src = EXTENSION_SOURCE.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write('E');
    o.write('R');
    o.write(8 + id.length + des.length + src.length);
    o.write(1);
    o.write(id.length);
    o.write(des.length);
    o.write(src.length);
    o.write(1); // extension version
    o.writeBytes(id);
    o.writeBytes(des);
    o.writeBytes(src);
    return o.toByteArray();
  }

  /** PX (RRIP 1.10 form, 36 bytes): mode, links, uid, gid. */
  static byte[] px(int mode, int links) {
    ByteBuffer b = ByteBuffer.allocate(36);
    b.put(new byte[] {'P', 'X', 36, 1});
    IsoBytes.putBoth32(b, 4, mode);
    IsoBytes.putBoth32(b, 12, links);
    IsoBytes.putBoth32(b, 20, 0);
    IsoBytes.putBoth32(b, 28, 0);
    return b.array();
  }

  /** NM: the real name. */
  static byte[] nm(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[5 + n.length];
    out[0] = 'N';
    out[1] = 'M';
    out[2] = (byte) out.length;
    out[3] = 1;
    out[4] = 0;
    System.arraycopy(n, 0, out, 5, n.length);
    return out;
  }

  /** TF: modification, access and attribute-change times. */
  static byte[] tf(Instant t) {
    byte[] d = IsoBytes.recordDate(t);
    byte[] out = new byte[5 + 3 * 7];
    out[0] = 'T';
    out[1] = 'F';
    out[2] = (byte) out.length;
    out[3] = 1;
    out[4] = 0x0E; // MODIFY | ACCESS | ATTRIBUTES
    for (int i = 0; i < 3; i++) {
      System.arraycopy(d, 0, out, 5 + 7 * i, 7);
    }
    return out;
  }

  /** SL: a symbolic link's target, component by component. */
  static byte[] sl(String target) {
    ByteArrayOutputStream comps = new ByteArrayOutputStream();
    if (target.startsWith("/")) {
      comps.write(0x08); // ROOT
      comps.write(0);
    }
    for (String part : target.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      if (part.equals(".")) {
        comps.write(0x02);
        comps.write(0);
      } else if (part.equals("..")) {
        comps.write(0x04);
        comps.write(0);
      } else {
        byte[] p = part.getBytes(StandardCharsets.UTF_8);
        comps.write(0);
        comps.write(p.length);
        comps.writeBytes(p);
      }
    }
    byte[] c = comps.toByteArray();
    byte[] out = new byte[5 + c.length];
    out[0] = 'S';
    out[1] = 'L';
    out[2] = (byte) out.length;
    out[3] = 1;
    out[4] = 0;
    System.arraycopy(c, 0, out, 5, c.length);
    return out;
  }
}
