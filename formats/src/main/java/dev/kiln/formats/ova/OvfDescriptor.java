package dev.kiln.formats.ova;

import java.io.StringWriter;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Writes the OVF 1.x descriptor (DMTF DSP0243, schema DSP8023) of a one-disk VM as VMware and
 * CloudStack's OVA processor read it: References, DiskSection (capacity with units,
 * populatedSize, streamOptimized format), NetworkSection, then the VirtualSystem with its
 * OperatingSystemSection (CIM id and vmw:osType), VirtualHardwareSection, ProductSection and
 * annotation. rasd and vssd children appear in the schema's (alphabetical) order.
 */
public final class OvfDescriptor {
  static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
  static final String RASD =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
  static final String VSSD =
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData";
  static final String VMW = "http://www.vmware.com/schema/ovf";
  static final String CIM = "http://schemas.dmtf.org/wbem/wscim/1/common";
  static final String STREAM_OPTIMIZED =
      "http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized";
  static final String NETWORK = "VM Network";

  private final Document doc;

  private OvfDescriptor(Document doc) {
    this.doc = doc;
  }

  /**
   * The descriptor text.
   *
   * @param diskFile the VMDK's name in the OVA
   * @param diskFileSize the VMDK's size in bytes (the tar member size)
   * @param capacity the virtual disk's size in bytes
   * @param populatedSize bytes of data in the disk
   */
  public static String write(OvfSpec spec, String diskFile, long diskFileSize, long capacity,
      long populatedSize) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      Document doc = f.newDocumentBuilder().newDocument();
      return new OvfDescriptor(doc).build(spec, diskFile, diskFileSize, capacity,
          populatedSize);
    } catch (Exception e) {
      throw new IllegalStateException("cannot build OVF", e);
    }
  }

  private String build(OvfSpec s, String diskFile, long diskFileSize, long capacity,
      long populated) throws Exception {
    Element env = doc.createElementNS(OVF, "Envelope");
    doc.appendChild(env);
    env.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns", OVF);
    env.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:ovf", OVF);
    env.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:rasd", RASD);
    env.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:vssd", VSSD);
    env.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:vmw", VMW);
    env.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:cim", CIM);

    Element refs = ovf(env, "References");
    Element file = ovf(refs, "File");
    attr(file, "href", diskFile);
    attr(file, "id", "file1");
    attr(file, "size", Long.toString(diskFileSize));

    Element disks = ovf(env, "DiskSection");
    text(ovf(disks, "Info"), "Virtual disk information");
    Element disk = ovf(disks, "Disk");
    boolean wholeGib = capacity % (1L << 30) == 0;
    attr(disk, "capacity", Long.toString(wholeGib ? capacity >> 30 : capacity));
    attr(disk, "capacityAllocationUnits", wholeGib ? "byte * 2^30" : "byte");
    attr(disk, "diskId", "vmdisk1");
    attr(disk, "fileRef", "file1");
    attr(disk, "format", STREAM_OPTIMIZED);
    attr(disk, "populatedSize", Long.toString(populated));

    Element nets = ovf(env, "NetworkSection");
    text(ovf(nets, "Info"), "The list of logical networks");
    Element net = ovf(nets, "Network");
    attr(net, "name", NETWORK);
    text(ovf(net, "Description"), "The " + NETWORK + " network");

    Element vs = ovf(env, "VirtualSystem");
    attr(vs, "id", s.name());
    text(ovf(vs, "Info"), "A virtual machine");
    text(ovf(vs, "Name"), s.name());

    Element os = ovf(vs, "OperatingSystemSection");
    attr(os, "id", Integer.toString(s.guestOs().cimId()));
    os.setAttributeNS(VMW, "vmw:osType", s.guestOs().vmwareOsType());
    text(ovf(os, "Info"), "The kind of installed guest operating system");
    text(ovf(os, "Description"), s.guestOs().description());

    Element hw = ovf(vs, "VirtualHardwareSection");
    text(ovf(hw, "Info"), "Virtual hardware requirements");
    Element sys = ovf(hw, "System");
    text(el(sys, VSSD, "vssd:ElementName"), "Virtual Hardware Family");
    text(el(sys, VSSD, "vssd:InstanceID"), "0");
    text(el(sys, VSSD, "vssd:VirtualSystemIdentifier"), s.name());
    text(el(sys, VSSD, "vssd:VirtualSystemType"), s.hardwareVersion());
    item(hw, new String[][] {{"AllocationUnits", "hertz * 10^6"},
        {"Description", "Number of Virtual CPUs"},
        {"ElementName", s.cpus() + " virtual CPU(s)"}, {"InstanceID", "1"},
        {"ResourceType", "3"}, {"VirtualQuantity", Integer.toString(s.cpus())}});
    item(hw, new String[][] {{"AllocationUnits", "byte * 2^20"},
        {"Description", "Memory Size"}, {"ElementName", s.memoryMiB() + "MB of memory"},
        {"InstanceID", "2"}, {"ResourceType", "4"},
        {"VirtualQuantity", Long.toString(s.memoryMiB())}});
    item(hw, new String[][] {{"Address", "0"}, {"Description", "SCSI Controller"},
        {"ElementName", "SCSI controller 0"}, {"InstanceID", "3"},
        {"ResourceSubType", s.scsiController()}, {"ResourceType", "6"}});
    item(hw, new String[][] {{"AddressOnParent", "0"}, {"ElementName", "Hard disk 1"},
        {"HostResource", "ovf:/disk/vmdisk1"}, {"InstanceID", "4"}, {"Parent", "3"},
        {"ResourceType", "17"}});
    item(hw, new String[][] {{"AddressOnParent", "7"}, {"AutomaticAllocation", "true"},
        {"Connection", NETWORK}, {"Description", "VmxNet3 ethernet adapter on \"" + NETWORK
        + "\""}, {"ElementName", "Network adapter 1"}, {"InstanceID", "5"},
        {"ResourceSubType", "VmxNet3"}, {"ResourceType", "10"}});
    if (s.efi()) {
      Element cfg = el(hw, VMW, "vmw:Config");
      cfg.setAttributeNS(OVF, "ovf:required", "false");
      cfg.setAttributeNS(VMW, "vmw:key", "firmware");
      cfg.setAttributeNS(VMW, "vmw:value", "efi");
    }

    Element product = ovf(vs, "ProductSection");
    text(ovf(product, "Info"), "Information about the installed software");
    text(ovf(product, "Product"), s.name());
    text(ovf(product, "Vendor"), "Built with Kiln");
    text(ovf(product, "Version"), s.version());
    text(ovf(product, "FullVersion"), s.buildId());

    Element note = ovf(vs, "AnnotationSection");
    text(ovf(note, "Info"), "A human-readable annotation");
    text(ovf(note, "Annotation"), "Built by Kiln, build " + s.buildId());

    var t = TransformerFactory.newInstance().newTransformer();
    t.setOutputProperty(OutputKeys.INDENT, "yes");
    t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
    t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
    StringWriter out = new StringWriter();
    t.transform(new DOMSource(doc), new StreamResult(out));
    return out.toString();
  }

  private void item(Element hw, String[][] fields) {
    Element item = ovf(hw, "Item");
    for (String[] kv : fields) {
      text(el(item, RASD, "rasd:" + kv[0]), kv[1]);
    }
  }

  private Element ovf(Element parent, String name) {
    return el(parent, OVF, name);
  }

  private Element el(Element parent, String ns, String qname) {
    Element e = doc.createElementNS(ns, qname);
    parent.appendChild(e);
    return e;
  }

  private static void attr(Element e, String name, String value) {
    e.setAttributeNS(OVF, "ovf:" + name, value);
  }

  private static void text(Element e, String value) {
    e.setTextContent(value);
  }
}
