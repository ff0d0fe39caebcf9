package dev.kiln.cloudstack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * What Apache CloudStack itself checks of a template file, applied offline, before anything
 * is sent: each rule mirrors a named piece of CloudStack's source (4.19–4.22), so a refusal
 * here is one CloudStack would make, said earlier and in one sentence.
 *
 * <ul>
 *   <li>{@code UriUtils.SUPPORTED_EXTENSIONS_BY_FORMAT} — the file name's extension must be one
 *       the management server accepts for the format: {@code .qcow2}/{@code .img} (qcow2),
 *       {@code .vhd}, {@code .vhdx}, {@code .ova}, {@code .img}/{@code .raw} (raw),
 *       {@code .vmdk}, each optionally packaged as {@code .zip}, {@code .bz2} or {@code .gz}
 *       ({@code COMMPRESSION_FORMATS}) — not {@code .xz}.
 *   <li>{@code org.apache.cloudstack.storage.formatinspector.Qcow2Inspector} (the KVM agent and
 *       the SSVM since the 2024 fixes) — a qcow2 must start with the QCOW magic, have no backing
 *       file ({@code backing_file_offset} 0), no external data file (incompatible feature bit
 *       2), and no incompatible feature bit from 4 up (e.g. extended L2 entries).
 *   <li>{@code com.cloud.storage.template.VhdProcessor#getTemplateVirtualSize} — a VHD's
 *       virtual size is read from the footer copy at offset 0 ({@code conectix}); without it
 *       CloudStack records the file's length as the disk's size.
 *   <li>{@code com.cloud.storage.template.OVAProcessor} — an OVA holds an {@code .ovf}, and
 *       its virtual size is the sum of each {@code Disk}'s {@code ovf:capacity} attribute (read
 *       by that literal name; a value that is not a number counts as 1 byte).
 *   <li>{@code QCOW2Utils#getVirtualSize} and the processors' {@code FormatInfo} — size and
 *       virtual size above zero.
 * </ul>
 *
 * Compressed files are read as CloudStack reads them, through Commons Compress.
 */
public final class CloudStackAcceptance {
  /** {@code UriUtils.COMMPRESSION_FORMATS}. */
  static final Set<String> PACKAGINGS = Set.of("zip", "bz2", "gz");
  /** {@code UriUtils.SUPPORTED_EXTENSIONS_BY_FORMAT}, base extensions per format. */
  static final Map<String, List<String>> EXTENSIONS = Map.of("qcow2", List.of("qcow2", "img"),
      "vhd", List.of("vhd"), "vhdx", List.of("vhdx"), "ova", List.of("ova"), "raw",
      List.of("img", "raw"), "vmdk", List.of("vmdk"));
  static final byte[] QCOW_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
  static final int QCOW_BACKING_FILE_OFFSET = 8;
  static final int QCOW_SIZE = 24;
  static final int QCOW_INCOMPATIBLE_FEATURES = 72;
  static final long QCOW_EXTERNAL_DATA_FILE = 1L << 2;
  /** Bits 0–3 are known to CloudStack's inspector; any higher bit is refused. */
  static final long QCOW_KNOWN_INCOMPATIBLE = (1L << 4) - 1;
  static final String VHD_COOKIE = "conectix";
  static final int VHD_CURRENT_SIZE = 48;

  private CloudStackAcceptance() {}

  /**
   * One rule's outcome.
   *
   * @param refused whether CloudStack would refuse the file (false: a warning)
   * @param source the CloudStack source the rule mirrors
   */
  public record Finding(String file, boolean refused, String message, String source) {
    @Override
    public String toString() {
      return file + ": " + message + " [" + source + "]";
    }
  }

  /** Every finding for {@code file}; empty when CloudStack accepts it. */
  public static List<Finding> check(Path file) throws IOException {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    List<Finding> out = new ArrayList<>();
    if (Files.size(file) == 0) {
      out.add(new Finding(name, true, "the file is empty", "FormatInfo.size"));
      return out;
    }
    String packaging = "";
    String base = lower;
    int dot = lower.lastIndexOf('.');
    if (dot > 0 && Set.of("zip", "bz2", "gz", "xz", "zst", "7z").contains(lower.substring(dot
        + 1))) {
      packaging = lower.substring(dot + 1);
      base = lower.substring(0, dot);
    }
    String ext = base.contains(".") ? base.substring(base.lastIndexOf('.') + 1) : "";
    byte[] head = head(file, packaging);
    String format = formatOf(head, ext);
    if (!packaging.isEmpty() && !PACKAGINGS.contains(packaging)) {
      out.add(new Finding(name, true, "CloudStack does not accept ." + packaging + " (it takes "
          + ".zip, .bz2 or .gz): repackage it, e.g. as ." + ext + ".bz2",
          "UriUtils.COMMPRESSION_FORMATS"));
    }
    List<String> allowed = EXTENSIONS.get(format);
    if (allowed != null && !allowed.contains(ext)) {
      out.add(new Finding(name, true, "a " + format + " disk must be named ." + String.join(
          " or .", allowed) + " (optionally .zip/.bz2/.gz), not ." + ext,
          "UriUtils.SUPPORTED_EXTENSIONS_BY_FORMAT"));
    }
    if (format.equals("qcow2")) {
      qcow2(name, head, out);
    } else if (format.equals("vhd")) {
      vhd(name, head, out);
    } else if (format.equals("ova") && packaging.isEmpty()) {
      ova(name, file, out);
    }
    return out;
  }

  private static void ova(String name, Path file, List<Finding> out) throws IOException {
    byte[] ovf = null;
    try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
        new BufferedInputStream(Files.newInputStream(file)))) {
      for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.getName().toLowerCase(Locale.ROOT).endsWith(".ovf")) {
          ovf = tar.readAllBytes();
          break;
        }
      }
    } catch (IOException e) {
      out.add(new Finding(name, true, "not a tar archive: " + e.getMessage(), "OVAProcessor"
          + ".unpackOva"));
      return;
    }
    if (ovf == null) {
      out.add(new Finding(name, true, "the OVA holds no .ovf descriptor", "OVAProcessor"
          + ".getTemplateVirtualSize"));
      return;
    }
    org.w3c.dom.Document doc;
    try {
      var f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(ovf));
    } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
      out.add(new Finding(name, true, "the .ovf is not XML CloudStack can parse: "
          + e.getMessage(), "OVFParser.parseOVFFile"));
      return;
    }
    var disks = doc.getElementsByTagName("Disk");
    if (disks.getLength() == 0) {
      disks = doc.getElementsByTagName("ovf:Disk");
    }
    if (disks.getLength() == 0) {
      out.add(new Finding(name, true, "the .ovf has no Disk element: CloudStack's virtual size "
          + "would be 0", "OVAProcessor.getTemplateVirtualSize"));
    }
    for (int i = 0; i < disks.getLength(); i++) {
      String capacity = ((org.w3c.dom.Element) disks.item(i)).getAttribute("ovf:capacity");
      long value;
      try {
        value = Long.parseLong(capacity);
      } catch (NumberFormatException e) {
        value = 0;
      }
      if (value <= 0) {
        out.add(new Finding(name, true, "Disk " + (i + 1) + " has no positive ovf:capacity ('"
            + capacity + "'): CloudStack counts it as 1 byte", "OVAProcessor"
            + ".getTemplateVirtualSize"));
      }
    }
  }

  private static void qcow2(String name, byte[] head, List<Finding> out) {
    ByteBuffer h = ByteBuffer.wrap(head);
    if (head.length < QCOW_INCOMPATIBLE_FEATURES + 8) {
      out.add(new Finding(name, true, "the qcow2 header is cut short", "Qcow2Inspector"));
      return;
    }
    if (h.getLong(QCOW_BACKING_FILE_OFFSET) != 0) {
      out.add(new Finding(name, true, "the qcow2 has a backing file: CloudStack refuses it as a "
          + "possible attack; convert it to a standalone image", "Qcow2Inspector"
          + ".validateAbsenceOfBackingFileReference"));
    }
    int version = h.getInt(4);
    long features = version >= 3 ? h.getLong(QCOW_INCOMPATIBLE_FEATURES) : 0;
    if ((features & QCOW_EXTERNAL_DATA_FILE) != 0) {
      out.add(new Finding(name, true, "the qcow2 keeps its data in an external file: CloudStack "
          + "refuses it", "Qcow2Inspector.validateAbsenceOfExternalDataFileReference"));
    }
    if ((features & ~QCOW_KNOWN_INCOMPATIBLE) != 0) {
      out.add(new Finding(name, true, "the qcow2 sets incompatible feature bits 0x" + Long
          .toHexString(features & ~QCOW_KNOWN_INCOMPATIBLE) + " that CloudStack does not know "
          + "(bit 4 is extended L2 entries): write it without them",
          "Qcow2Inspector.validateAbsenceOfUnknownIncompatibleFeatures"));
    }
    if (h.getLong(QCOW_SIZE) <= 0) {
      out.add(new Finding(name, true, "the qcow2's virtual size is 0", "QCOW2Utils"
          + ".getVirtualSize"));
    }
  }

  private static void vhd(String name, byte[] head, List<Finding> out) {
    boolean copy = head.length >= 512 && new String(head, 0, 8, StandardCharsets.US_ASCII)
        .equals(VHD_COOKIE);
    if (!copy) {
      out.add(new Finding(name, false, "the VHD has no footer copy at offset 0 (a fixed VHD): "
          + "CloudStack takes the file's length as the disk's virtual size instead of the "
          + "footer's; a dynamic VHD is read exactly", "VhdProcessor.getTemplateVirtualSize"));
    } else if (ByteBuffer.wrap(head).getLong(VHD_CURRENT_SIZE) <= 0) {
      out.add(new Finding(name, true, "the VHD's current size is 0",
          "VhdProcessor.getTemplateVirtualSize"));
    }
  }

  /** What the content is: qcow2 and VHD by their magic, the rest by name. */
  private static String formatOf(byte[] head, String ext) {
    if (head.length >= 4 && java.util.Arrays.equals(java.util.Arrays.copyOf(head, 4),
        QCOW_MAGIC)) {
      return "qcow2";
    }
    if (head.length >= 8 && new String(head, 0, 8, StandardCharsets.US_ASCII).equals(
        VHD_COOKIE) || ext.equals("vhd")) {
      return "vhd";
    }
    if (head.length >= 8 && new String(head, 0, 8, StandardCharsets.US_ASCII).equals(
        "vhdxfile")) {
      return "vhdx";
    }
    return ext.equals("img") ? "raw" : ext;
  }

  /** The first 512 bytes of the file's content, unpacked as CloudStack unpacks it. */
  private static byte[] head(Path file, String packaging) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
      InputStream in = raw;
      if (packaging.equals("zip")) {
        ZipInputStream zip = new ZipInputStream(raw);
        if (zip.getNextEntry() == null) {
          return new byte[0];
        }
        in = zip;
      } else if (packaging.equals("bz2") || packaging.equals("gz") || packaging.equals("xz")) {
        try {
          in = new CompressorStreamFactory().createCompressorInputStream(raw);
        } catch (CompressorException e) {
          return new byte[0];
        }
      }
      return in.readNBytes(512);
    }
  }
}
