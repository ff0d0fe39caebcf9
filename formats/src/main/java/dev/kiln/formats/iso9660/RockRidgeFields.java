package dev.kiln.formats.iso9660;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The Rock Ridge fields of one directory record (name, mode, link target), read from its system
 * use area and from continuation areas (CE), whose number is bounded.
 */
final class RockRidgeFields {
  static final int MAX_CONTINUATIONS = 16;

  String name;
  int mode;
  String linkTarget;

  /** Loads one sector of the image, checked against its size. */
  interface SectorSource {
    ByteBuffer sector(long lba, String what) throws IOException;
  }

  /**
   * The shortest length of an entry whose fields Kiln reads (IEEE P1282 RRIP 1.12 and SUSP
   * 1.12): NM and SL have a flags byte, PX at least its both-endian mode (the only field Kiln
   * reads), CE three both-endian numbers.
   */
  private static int minimumLength(String sig) {
    return switch (sig) {
      case "NM", "SL" -> 5;
      case "PX" -> 12;
      case "CE" -> 28;
      default -> 4;
    };
  }

  static RockRidgeFields parse(ByteBuffer rec, int start, SectorSource image, long recordAt)
      throws IOException {
    RockRidgeFields f = new RockRidgeFields();
    StringBuilder name = null;
    StringBuilder link = null;
    ByteBuffer area = rec;
    int pos = start;
    int end = rec.limit();
    int hops = 0;
    while (true) {
      long ceLba = -1;
      long ceOffset = 0;
      long ceLength = 0;
      while (pos + 4 <= end) {
        int len = Byte.toUnsignedInt(area.get(pos + 2));
        if (len < 4 || pos + len > end) {
          break; // padding or a malformed entry: stop reading this area
        }
        String sig = "" + (char) area.get(pos) + (char) area.get(pos + 1);
        int least = minimumLength(sig);
        if (len < least) {
          throw new IsoException("Rock Ridge " + sig + " entry of length " + len + " is shorter "
              + "than its fields (" + least + " bytes)", sig + " entry", recordAt);
        }
        switch (sig) {
          case "NM" -> {
            int flags = Byte.toUnsignedInt(area.get(pos + 4));
            if ((flags & 0x02) != 0) {
              name = new StringBuilder(".");
            } else if ((flags & 0x04) != 0) {
              name = new StringBuilder("..");
            } else {
              byte[] part = new byte[len - 5];
              area.get(pos + 5, part);
              if (name == null) {
                name = new StringBuilder();
              }
              name.append(new String(part, StandardCharsets.UTF_8));
            }
          }
          case "PX" -> f.mode = (int) IsoBytes.getBoth32(area, pos + 4);
          case "SL" -> {
            if (link == null) {
              link = new StringBuilder();
            }
            int p = pos + 5;
            while (p + 2 <= pos + len) {
              int cflags = Byte.toUnsignedInt(area.get(p));
              int clen = Byte.toUnsignedInt(area.get(p + 1));
              if (p + 2 + clen > pos + len) {
                break;
              }
              if (link.length() > 0 && link.charAt(link.length() - 1) != '/') {
                link.append('/');
              }
              if ((cflags & 0x08) != 0) {
                link.append('/');
              } else if ((cflags & 0x02) != 0) {
                link.append('.');
              } else if ((cflags & 0x04) != 0) {
                link.append("..");
              } else {
                byte[] c = new byte[clen];
                area.get(p + 2, c);
                link.append(new String(c, StandardCharsets.UTF_8));
              }
              p += 2 + clen;
            }
          }
          case "CE" -> {
            ceLba = IsoBytes.getBoth32(area, pos + 4);
            ceOffset = IsoBytes.getBoth32(area, pos + 12);
            ceLength = IsoBytes.getBoth32(area, pos + 20);
          }
          case "ST" -> pos = end; // terminator
          default -> { }
        }
        pos += len;
      }
      if (ceLba < 0) {
        break;
      }
      if (++hops > MAX_CONTINUATIONS || ceOffset < 0 || ceLength < 0
          || ceOffset + ceLength > IsoBytes.SECTOR) {
        throw new IsoException("Rock Ridge continuation chain too long or out of its sector",
            "CE", recordAt);
      }
      area = image.sector(ceLba, "Rock Ridge continuation area");
      pos = (int) ceOffset;
      end = (int) (ceOffset + ceLength);
    }
    f.name = name == null ? null : name.toString();
    f.linkTarget = link == null ? null : link.toString();
    return f;
  }
}
