package dev.kiln.formats.ova;

import dev.kiln.formats.FormatException;
import dev.kiln.formats.io.AtomicFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads an OVA: its members (refusing names that could escape a directory), the OVF summary
 * (OS, CPUs, memory, disks with capacity), and the manifest, verified against every member.
 */
public final class OvaReader implements AutoCloseable {
  private static final Pattern MANIFEST_LINE =
      Pattern.compile("(SHA1|SHA256|SHA512)\\(([^)]+)\\)\\s*=\\s*([0-9a-fA-F]+)");
  private static final Pattern UNITS = Pattern.compile("byte(?:\\*(2|10)\\^(\\d+))?");

  /** The disk of an OVF: its file, capacity in bytes and format URL. */
  public record Disk(String href, long capacity, String format) {}

  /** What the OVF says about the VM. */
  public record Summary(String name, String os, int cimOsId, String vmwareOsType, int cpus,
      long memoryMiB, List<Disk> disks) {
    public Summary {
      disks = List.copyOf(disks);
    }
  }

  private final TarFile tar;
  private final Map<String, TarArchiveEntry> members = new LinkedHashMap<>();
  private final String ovfName;
  private final Summary summary;

  private OvaReader(TarFile tar) throws IOException {
    this.tar = tar;
    for (TarArchiveEntry e : tar.getEntries()) {
      String name = e.getName();
      if (name.startsWith("/") || name.contains("..") || name.contains("\\")
          || name.contains("\0")) {
        throw new FormatException("unsafe member name '" + name + "' in the OVA",
            "tar member name", -1);
      }
      if (e.isFile()) {
        members.put(name, e);
      }
    }
    // DSP0243 wants the descriptor first, but tools that write it later (or under a GNU long
    // name or a PAX path, which TarFile resolves) make OVAs that VMware and CloudStack open
    this.ovfName = members.keySet().stream().filter(n -> n.toLowerCase(java.util.Locale.ROOT)
        .endsWith(".ovf")).findFirst().orElseThrow(() -> new FormatException("the archive "
            + "holds no .ovf descriptor, so it is not an OVA", "tar member name", -1));
    this.summary = parse(read(ovfName, 4 << 20));
    for (Disk d : summary.disks()) {
      if (!members.containsKey(d.href())) {
        throw new FormatException("the OVF references " + d.href() + ", which is not in the "
            + "OVA", "References/File href", -1);
      }
    }
  }

  public static OvaReader open(Path ova) throws IOException {
    TarFile tar;
    try {
      tar = new TarFile(ova);
    } catch (IOException | RuntimeException e) {
      // commons-compress reports a corrupt header as a plain IOException (or worse)
      throw new FormatException("the OVA is not a readable tar archive: " + e.getMessage(),
          "tar header", -1);
    }
    try {
      return new OvaReader(tar);
    } catch (IOException | RuntimeException e) {
      tar.close();
      if (e instanceof FormatException fe) {
        throw fe;
      }
      throw new FormatException("the OVA's tar archive is corrupt: " + e.getMessage(),
          "tar member", -1);
    }
  }

  /** Member names in archive order. */
  public List<String> members() {
    return List.copyOf(members.keySet());
  }

  public Summary summary() {
    return summary;
  }

  /**
   * Checks the manifest (the {@code .mf} member) against every member it lists; returns the
   * problems (empty when it verifies). An OVA without a manifest is reported as such.
   */
  public List<String> verifyManifest() throws IOException {
    List<String> problems = new ArrayList<>();
    String mf = members.keySet().stream().filter(n -> n.endsWith(".mf")).findFirst()
        .orElse(null);
    if (mf == null) {
      problems.add("no manifest (.mf) in the OVA");
      return problems;
    }
    String text = new String(read(mf, 1 << 20), StandardCharsets.UTF_8);
    int checked = 0;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = MANIFEST_LINE.matcher(line.trim());
      if (!m.matches()) {
        problems.add("manifest line not understood: " + line.trim());
        continue;
      }
      String name = m.group(2);
      if (!members.containsKey(name)) {
        problems.add("manifest lists " + name + ", which is not in the OVA");
        continue;
      }
      String actual = digest(name, m.group(1).equals("SHA1") ? "SHA-1"
          : m.group(1).equals("SHA256") ? "SHA-256" : "SHA-512");
      if (!actual.equalsIgnoreCase(m.group(3))) {
        problems.add("manifest mismatch for " + name + ": listed " + m.group(3).toLowerCase()
            + ", actual " + actual);
      }
      checked++;
    }
    if (checked == 0 && problems.isEmpty()) {
      problems.add("the manifest lists no member");
    }
    return problems;
  }

  /** Copies a member to {@code destination} atomically. */
  public void extract(String member, Path destination) throws IOException {
    TarArchiveEntry e = member(member);
    try (InputStream in = tar.getInputStream(e); AtomicFile out = AtomicFile.create(destination)) {
      OutputStream o = Channels.newOutputStream(out.channel());
      long copied = in.transferTo(o);
      o.flush();
      if (copied != e.getSize()) {
        throw new FormatException(member + " is truncated: " + copied + " of " + e.getSize()
            + " bytes", "tar member size", -1);
      }
      out.commit();
    }
  }

  private TarArchiveEntry member(String name) throws FormatException {
    TarArchiveEntry e = members.get(name);
    if (e == null) {
      throw new FormatException("no member " + name, "tar member", -1);
    }
    return e;
  }

  private byte[] read(String name, int limit) throws IOException {
    TarArchiveEntry e = member(name);
    if (e.getSize() > limit) {
      throw new FormatException(name + " is too large (" + e.getSize() + " bytes)",
          "tar member size", -1);
    }
    try (InputStream in = tar.getInputStream(e)) {
      return in.readNBytes((int) e.getSize());
    }
  }

  private String digest(String name, String algorithm) throws IOException {
    try (InputStream in = tar.getInputStream(member(name))) {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  private static Summary parse(byte[] ovf) throws FormatException {
    Document doc = SafeXml.parse(ovf, "the OVF descriptor");
    String ovfNs = OvfDescriptor.OVF;
    Map<String, String> files = new LinkedHashMap<>();
    NodeList fileNodes = doc.getElementsByTagNameNS(ovfNs, "File");
    for (int i = 0; i < fileNodes.getLength(); i++) {
      Element f = (Element) fileNodes.item(i);
      files.put(f.getAttributeNS(ovfNs, "id"), f.getAttributeNS(ovfNs, "href"));
    }
    List<Disk> disks = new ArrayList<>();
    NodeList diskNodes = doc.getElementsByTagNameNS(ovfNs, "Disk");
    for (int i = 0; i < diskNodes.getLength(); i++) {
      Element d = (Element) diskNodes.item(i);
      String href = files.get(d.getAttributeNS(ovfNs, "fileRef"));
      if (href == null) {
        throw new FormatException("disk " + d.getAttributeNS(ovfNs, "diskId")
            + " refers to no File", "Disk/fileRef", -1);
      }
      disks.add(new Disk(href, capacity(d.getAttributeNS(ovfNs, "capacity"),
          d.getAttributeNS(ovfNs, "capacityAllocationUnits")),
          d.getAttributeNS(ovfNs, "format")));
    }
    String name = text(doc, ovfNs, "Name");
    Element os = (Element) doc.getElementsByTagNameNS(ovfNs, "OperatingSystemSection").item(0);
    int cim = os == null ? -1 : parseInt(os.getAttributeNS(ovfNs, "id"));
    String vmwType = os == null ? "" : os.getAttributeNS(OvfDescriptor.VMW, "osType");
    String osText = os == null ? "" : childText(os, ovfNs, "Description");
    int cpus = 0;
    long memory = 0;
    NodeList items = doc.getElementsByTagNameNS(ovfNs, "Item");
    for (int i = 0; i < items.getLength(); i++) {
      Element item = (Element) items.item(i);
      String type = childText(item, OvfDescriptor.RASD, "ResourceType");
      String qty = childText(item, OvfDescriptor.RASD, "VirtualQuantity");
      if (type.equals("3")) {
        cpus = parseInt(qty);
      } else if (type.equals("4")) {
        String units = childText(item, OvfDescriptor.RASD, "AllocationUnits");
        memory = units.contains("2^30") ? parseInt(qty) * 1024L : parseInt(qty);
      }
    }
    return new Summary(name, osText, cim, vmwType, cpus, memory, disks);
  }

  static long capacity(String value, String units) throws FormatException {
    long n;
    try {
      n = Long.parseLong(value.trim());
      if (n < 0) {
        throw new NumberFormatException("negative");
      }
    } catch (NumberFormatException e) {
      throw new FormatException("disk capacity '" + value + "' is not a number",
          "Disk/capacity", -1);
    }
    if (units == null || units.isBlank()) {
      return n;
    }
    Matcher use = UNITS.matcher(units.replace(" ", ""));
    if (!use.matches()) {
      throw new FormatException("capacity units '" + units + "' not understood",
          "Disk/capacityAllocationUnits", -1);
    }
    if (use.group(1) == null) {
      return n;
    }
    long base = Long.parseLong(use.group(1));
    // more than 63 doublings overflow a long whatever the count: refuse before looping
    int exp = use.group(2).length() > 2 ? Integer.MAX_VALUE : Integer.parseInt(use.group(2));
    if (exp > 63) {
      throw new FormatException("capacity units '" + units + "' are larger than any disk",
          "Disk/capacityAllocationUnits", -1);
    }
    try {
      long mult = 1;
      for (int i = 0; i < exp; i++) {
        mult = Math.multiplyExact(mult, base);
      }
      long bytes = Math.multiplyExact(n, mult);
      if (bytes < 0) {
        throw new ArithmeticException("negative");
      }
      return bytes;
    } catch (ArithmeticException e) {
      throw new FormatException("disk capacity " + value + " × " + units + " does not fit "
          + "in 64 bits (or is negative)", "Disk/capacity", -1);
    }
  }

  private static String text(Document doc, String ns, String name) {
    NodeList l = doc.getElementsByTagNameNS(ns, name);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
  }

  private static String childText(Element e, String ns, String name) {
    NodeList l = e.getElementsByTagNameNS(ns, name);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

}
