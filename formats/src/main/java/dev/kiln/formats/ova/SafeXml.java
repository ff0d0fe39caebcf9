package dev.kiln.formats.ova;

import dev.kiln.formats.FormatException;
import java.io.ByteArrayInputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.w3c.dom.Document;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * Parses untrusted XML (an OVF descriptor from a downloaded OVA): no DOCTYPE (so no entities,
 * no external fetches), elements nested at most {@link #MAX_DEPTH} deep — checked by a
 * streaming pass before the DOM is built, since the DOM's recursive walks overflow the stack on
 * deep documents — and no error handler printing {@code [Fatal Error]} lines to stderr. Every
 * failure is a {@link FormatException}.
 */
final class SafeXml {
  /** Real OVF descriptors nest about 8 deep. */
  static final int MAX_DEPTH = 64;

  private SafeXml() {}

  static Document parse(byte[] xml, String what) throws FormatException {
    checkDepth(xml, what);
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      f.setXIncludeAware(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(SILENT);
      return b.parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new FormatException(what + " is not well-formed XML: " + e.getMessage(),
          "descriptor", -1);
    }
  }

  private static void checkDepth(byte[] xml, String what) throws FormatException {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    XMLStreamReader r = null;
    try {
      r = f.createXMLStreamReader(new ByteArrayInputStream(xml));
      int depth = 0;
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.START_ELEMENT && ++depth > MAX_DEPTH) {
          throw new FormatException(what + " nests elements deeper than " + MAX_DEPTH,
              "descriptor", -1);
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          depth--;
        } else if (event == XMLStreamConstants.DTD) {
          throw new FormatException(what + " has a DOCTYPE, which OVF does not use",
              "descriptor", -1);
        }
      }
    } catch (XMLStreamException | RuntimeException e) {
      throw new FormatException(what + " is not well-formed XML: " + e.getMessage(),
          "descriptor", -1);
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing was opened but the byte array
        }
      }
    }
  }

  /** Errors become the parse's exception; nothing is printed. */
  private static final ErrorHandler SILENT = new ErrorHandler() {
    @Override
    public void warning(SAXParseException e) {}

    @Override
    public void error(SAXParseException e) throws SAXParseException {
      throw e;
    }

    @Override
    public void fatalError(SAXParseException e) throws SAXParseException {
      throw e;
    }
  };
}
