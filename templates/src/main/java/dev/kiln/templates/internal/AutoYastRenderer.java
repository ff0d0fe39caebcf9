package dev.kiln.templates.internal;

import dev.kiln.api.Partitioning;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * An AutoYaST profile ({@code autoinst.xml} on an OEMDRV seed) built through DOM, so values are
 * escaped by the XML writer. No confirmation, no second stage, power-off at the end
 * ({@code final_halt}); one ext4 root on the first disk (YaST adds the boot partitions BIOS or
 * UEFI needs) or root on LVM; users with crypted passwords and authorized keys; sudo rules and
 * extra users through a chroot script; SCC registration on SLES; the Full medium's modules as
 * add-ons from the first CD-ROM.
 */
public final class AutoYastRenderer {
  static final String NS = "http://www.suse.com/1.0/yast2ns";
  static final String CONFIG_NS = "http://www.suse.com/1.0/configns";

  private AutoYastRenderer() {}

  public static Map<String, byte[]> render(AnswerValues a, boolean sles) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      Document doc = f.newDocumentBuilder().newDocument();
      Element profile = doc.createElementNS(NS, "profile");
      profile.setAttributeNS("http://www.w3.org/2000/xmlns/", "xmlns:config", CONFIG_NS);
      doc.appendChild(profile);
      Element mode = el(el(profile, "general"), "mode");
      bool(mode, "confirm", false);
      bool(mode, "second_stage", false);
      bool(mode, "final_halt", true);
      text(el(profile, "language"), "language", a.installerLocale().split("\\.")[0]);
      text(el(profile, "keyboard"), "keymap", keymap(a.keyboard()));
      Element tz = el(profile, "timezone");
      text(tz, "hwclock", "UTC");
      text(tz, "timezone", a.timezone());
      Element partitioning = list(profile, "partitioning");
      Element drive = el(partitioning, "drive");
      text(drive, "device", "/dev/vda");
      bool(drive, "initialize", true);
      text(drive, "use", "all");
      if (a.partitioning() == Partitioning.LVM) {
        Element pv = el(list(drive, "partitions"), "partition");
        text(pv, "lvm_group", "system");
        text(pv, "size", "max");
        Element vg = el(partitioning, "drive");
        text(vg, "device", "/dev/system");
        symbol(vg, "type", "CT_LVM");
        Element lv = el(list(vg, "partitions"), "partition");
        text(lv, "lv_name", "root");
        text(lv, "mount", "/");
        symbol(lv, "filesystem", "ext4");
        text(lv, "size", "max");
      } else {
        Element root = el(list(drive, "partitions"), "partition");
        text(root, "mount", "/");
        symbol(root, "filesystem", "ext4");
        text(root, "size", "max");
      }
      Element software = el(profile, "software");
      bool(software, "install_recommended", false);
      Element patterns = list(software, "patterns");
      text(patterns, "pattern", "base");
      text(patterns, "pattern", "minimal_base");
      Element packages = list(software, "packages");
      text(packages, "package", "openssh");
      text(packages, "package", "sudo");
      a.packages().forEach(p -> text(packages, "package", p));
      Element services = el(el(profile, "services-manager"), "services");
      text(list(services, "enable"), "service", "sshd");
      bool(el(profile, "networking"), "keep_install_network", true);
      text(el(el(profile, "bootloader"), "global"), "append",
          "console=tty0 console=ttyS0,115200n8");
      Element users = list(profile, "users");
      Element root = el(users, "user");
      text(root, "username", "root");
      if (a.rootPasswordHash().isPresent()) {
        text(root, "user_password", a.rootPasswordHash().get());
        bool(root, "encrypted", true);
      } else {
        text(root, "user_password", "!");
        bool(root, "encrypted", true);
      }
      for (AnswerValues.User u : a.users()) {
        Element user = el(users, "user");
        text(user, "username", u.name());
        text(user, "fullname", u.name());
        text(user, "shell", "/bin/bash");
        text(user, "user_password", u.passwordHash().orElse("!"));
        bool(user, "encrypted", true);
        if (!u.sshKeys().isEmpty()) {
          Element keys = list(user, "authorized_keys");
          u.sshKeys().forEach(k -> text(keys, "listentry", k));
        }
      }
      if (sles) {
        Element reg = el(profile, "suse_register");
        bool(reg, "do_registration", a.registration().isPresent());
        a.registration().ifPresent(r -> {
          r.organization().ifPresent(o -> text(reg, "email", o));
          text(reg, "reg_code", r.key());
        });
        bool(reg, "install_updates", false);
        Element addOns = list(el(profile, "add-on"), "add_on_products");
        for (String module : new String[] {"Module-Basesystem", "Module-Server-Applications"}) {
          Element p = el(addOns, "listentry");
          text(p, "media_url", "dvd:///?devices=/dev/sr0");
          text(p, "product_dir", "/" + module);
        }
      }
      Element script = el(list(el(profile, "scripts"), "chroot-scripts"), "script");
      bool(script, "chrooted", true);
      text(script, "filename", "kiln-users.sh");
      text(script, "interpreter", "shell");
      script.appendChild(doc.createElementNS(NS, "source")).appendChild(
          doc.createCDATASection(UserSetupScript.render(a))); // the serializer splits "]]>"
      var t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.INDENT, "yes");
      t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      StringWriter w = new StringWriter();
      t.transform(new DOMSource(doc), new StreamResult(w));
      return Map.of("autoinst.xml", w.toString().getBytes(StandardCharsets.UTF_8));
    } catch (javax.xml.parsers.ParserConfigurationException
        | javax.xml.transform.TransformerException e) {
      throw new IllegalStateException("the JDK's XML support failed", e);
    }
  }

  /** YaST's keymap names for common layouts; others pass through. */
  static String keymap(String layout) {
    return switch (layout) {
      case "us" -> "english-us";
      case "gb" -> "english-uk";
      case "de" -> "german";
      case "fr" -> "french";
      case "es" -> "spanish";
      case "it" -> "italian";
      case "jp" -> "japanese";
      default -> layout;
    };
  }

  private static Element el(Element parent, String name) {
    Element e = parent.getOwnerDocument().createElementNS(NS, name);
    parent.appendChild(e);
    return e;
  }

  private static Element list(Element parent, String name) {
    Element e = el(parent, name);
    e.setAttributeNS(CONFIG_NS, "config:type", "list");
    return e;
  }

  private static void text(Element parent, String name, String value) {
    el(parent, name).setTextContent(value);
  }

  private static void bool(Element parent, String name, boolean value) {
    Element e = el(parent, name);
    e.setAttributeNS(CONFIG_NS, "config:type", "boolean");
    e.setTextContent(Boolean.toString(value));
  }

  private static void symbol(Element parent, String name, String value) {
    Element e = el(parent, name);
    e.setAttributeNS(CONFIG_NS, "config:type", "symbol");
    e.setTextContent(value);
  }
}
