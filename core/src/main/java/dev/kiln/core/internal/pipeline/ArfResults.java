package dev.kiln.core.internal.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The XCCDF results inside an ARF report (SCAP 1.3, NIST SP 800-126r3; XCCDF 1.2, NISTIR 7275r4
 * §6.6): each {@code TestResult/rule-result}'s {@code result}, counted, and the ids of the rules
 * that failed or erred. Read by streaming (an ARF carries the whole data stream, megabytes),
 * with DTDs and external entities off: the file comes from the guest.
 *
 * @param testSystem the scanner, as the TestResult names it (a CPE such as
 *     {@code cpe:/a:redhat:openscap:1.3.7})
 * @param results each result value's count, {@code notselected} left out (rules outside the
 *     profile), in the order first seen
 * @param failed the ids of the rules whose result is {@code fail} or {@code error}
 */
record ArfResults(String testSystem, Map<String, Integer> results, List<String> failed) {
  static final String XCCDF_1_2 = "http://checklists.nist.gov/xccdf/1.2";

  /** The rules the profile selected: every result but {@code notselected}. */
  int rules() {
    return results.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** How many rules failed or erred. */
  int failedCount() {
    return failed.size();
  }

  static ArfResults read(Path arf) throws IOException {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    String system = null;
    Map<String, Integer> counts = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    boolean testResult = false;
    try (InputStream in = Files.newInputStream(arf)) {
      XMLStreamReader x = f.createXMLStreamReader(in);
      String rule = null;
      while (x.hasNext()) {
        int e = x.next();
        if (e == XMLStreamConstants.START_ELEMENT && XCCDF_1_2.equals(x.getNamespaceURI())) {
          switch (x.getLocalName()) {
            case "TestResult" -> {
              testResult = true;
              system = x.getAttributeValue(null, "test-system");
            }
            case "rule-result" -> rule = x.getAttributeValue(null, "idref");
            case "result" -> {
              if (rule != null) {
                String result = x.getElementText().strip();
                if (!result.equals("notselected")) {
                  counts.merge(result, 1, Integer::sum);
                }
                if (result.equals("fail") || result.equals("error")) {
                  failed.add(rule);
                }
                rule = null;
              }
            }
            default -> { }
          }
        }
      }
    } catch (XMLStreamException e) {
      throw new IOException("the OpenSCAP results " + arf.getFileName() + " are not well-formed "
          + "XML: " + e.getMessage(), e);
    }
    if (!testResult) {
      throw new IOException("the OpenSCAP results " + arf.getFileName() + " hold no XCCDF 1.2 "
          + "TestResult");
    }
    return new ArfResults(system == null ? "unknown" : system, counts, List.copyOf(failed));
  }
}
