package dev.kiln.kvm.internal;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Kiln's mark read back from a domain's XML ({@link KilnMetadata}): who owns the domain, when
 * it was made and where its files are. Domains without the mark are not Kiln's.
 */
public record DomainMark(String owner, Instant created, Optional<Path> workDir,
    Optional<OwnerRecord> process) {
  /**
   * Whether the process that made the domain is certainly gone (it ran on this host and has
   * exited); false when that cannot be known.
   */
  public boolean ownerProcessGone() {
    return process.map(OwnerRecord::isGoneFromThisHost).orElse(false);
  }

  /** The mark in {@code domainXml}, if the domain is Kiln's. */
  public static Optional<DomainMark> read(String domainXml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      NodeList marks = f.newDocumentBuilder()
          .parse(new ByteArrayInputStream(domainXml.getBytes(StandardCharsets.UTF_8)))
          .getElementsByTagNameNS(KilnMetadata.NAMESPACE, "machine");
      if (marks.getLength() == 0) {
        return Optional.empty();
      }
      Element e = (Element) marks.item(0);
      String workDir = e.getAttribute("workdir");
      Optional<OwnerRecord> process = OwnerRecord.parse("client=" + e.getAttribute("client")
          + "\npid=" + e.getAttribute("pid") + "\nstarted=" + e.getAttribute("started"));
      return Optional.of(new DomainMark(e.getAttribute("owner"),
          Instant.parse(e.getAttribute("created")),
          workDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(workDir)), process));
    } catch (DateTimeParseException e) {
      return Optional.empty(); // a mark Kiln did not write: leave the domain alone
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
