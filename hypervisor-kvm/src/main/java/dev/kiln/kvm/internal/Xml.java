package dev.kiln.kvm.internal;

import java.io.StringWriter;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A thin fluent layer over DOM for libvirt XML: values are escaped by the serializer, never by
 * string concatenation, so a hostile path or name cannot change the document's structure.
 */
public final class Xml {
  private final Document document;
  private final Element element;

  private Xml(Document document, Element element) {
    this.document = document;
    this.element = element;
  }

  /** A new document whose root element is {@code name}. */
  public static Xml root(String name) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      Document d = f.newDocumentBuilder().newDocument();
      Element e = d.createElement(name);
      d.appendChild(e);
      return new Xml(d, e);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("no XML support in this JDK", e);
    }
  }

  /** Adds and returns a child element. */
  public Xml child(String name) {
    Element e = document.createElement(name);
    element.appendChild(e);
    return new Xml(document, e);
  }

  /** Adds a child element holding {@code text}; returns this element. */
  public Xml text(String name, String text) {
    child(name).element.setTextContent(text);
    return this;
  }

  /** Sets this element's text. */
  public Xml text(String text) {
    element.setTextContent(text);
    return this;
  }

  /** Sets an attribute; returns this element. */
  public Xml attr(String name, String value) {
    element.setAttribute(name, value);
    return this;
  }

  /** Declares {@code prefix} for {@code uri} on this element. */
  public Xml namespace(String prefix, String uri) {
    element.setAttributeNS(javax.xml.XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:" + prefix,
        uri);
    return this;
  }

  /** Adds a namespaced child element. */
  public Xml child(String namespace, String qualifiedName) {
    Element e = document.createElementNS(namespace, qualifiedName);
    element.appendChild(e);
    return new Xml(document, e);
  }

  /** The whole document, indented. */
  public String serialize() {
    try {
      var t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.INDENT, "yes");
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      StringWriter out = new StringWriter();
      t.transform(new DOMSource(document), new StreamResult(out));
      return out.toString();
    } catch (TransformerException e) {
      throw new IllegalStateException("cannot serialize XML", e);
    }
  }
}
