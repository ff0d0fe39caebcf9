package dev.kiln.kvm;

import dev.kiln.api.MachineException;
import dev.kiln.kvm.internal.LibvirtConnections;
import java.net.URI;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.libvirt.LibvirtException;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * What a libvirt host offers Kiln: versions, host name, the QEMU emulator and the domain types
 * (accelerators) its capabilities advertise. Advertised is not working: see
 * {@link AcceleratorProbe}.
 *
 * @param uri the connection URI
 * @param hostName the host's name as libvirt reports it
 * @param libvirtVersion the daemon's version, e.g. {@code 9.0.0}
 * @param hypervisorVersion QEMU's version, e.g. {@code 7.2.0}
 * @param emulators the x86_64 emulator binaries the host advertises
 * @param domainTypes the domain types advertised for x86_64 ({@code qemu}, {@code kvm})
 */
public record HostReport(URI uri, String hostName, String libvirtVersion,
    String hypervisorVersion, List<String> emulators, List<String> domainTypes) {
  public HostReport {
    emulators = List.copyOf(emulators);
    domainTypes = List.copyOf(domainTypes);
  }

  /** Connects to {@code uri} and reads the report. */
  public static HostReport read(URI uri) throws MachineException {
    try (var connection = LibvirtConnections.open(uri)) {
      var c = connection.connect();
      var caps = DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new InputSource(new StringReader(c.getCapabilities())));
      String arch = "/capabilities/guest/arch[@name='x86_64']";
      return new HostReport(uri, c.getHostName(),
          LibvirtConnections.versionText(c.getLibVirVersion()),
          LibvirtConnections.versionText(c.getVersion()),
          values(caps, arch + "/emulator"), values(caps, arch + "/domain/@type"));
    } catch (LibvirtException e) {
      throw new MachineException("libvirt at " + uri + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new MachineException("libvirt at " + uri + " sent unreadable capabilities: " + e, e);
    }
  }

  private static List<String> values(org.w3c.dom.Document doc, String xpath)
      throws XPathExpressionException {
    NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath()
        .evaluate(xpath, doc, XPathConstants.NODESET);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      String v = nodes.item(i).getTextContent().trim();
      if (!out.contains(v)) {
        out.add(v);
      }
    }
    return out;
  }
}
