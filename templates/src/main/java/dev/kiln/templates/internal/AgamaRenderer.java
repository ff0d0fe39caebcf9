package dev.kiln.templates.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.Partitioning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * An Agama profile ({@code autoinst.json} on an OEMDRV seed, found by Agama without a kernel
 * argument) built as a JSON tree, for openSUSE Leap 16 and SLES 16 (Agama 17 schema). The
 * first recipe user is Agama's user; every user, key and sudo rule is also applied by a
 * post-installation script ({@link UserSetupScript}), since Agama knows one user and one root
 * key. Storage: the product's mandatory partitions plus one ext4 root, or root on LVM.
 */
public final class AgamaRenderer {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private AgamaRenderer() {}

  public static Map<String, byte[]> render(AnswerValues a, String product) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode p = root.putObject("product");
    p.put("id", product);
    a.registration().ifPresent(r -> {
      p.put("registrationCode", r.key());
      r.organization().ifPresent(o -> p.put("registrationEmail", o));
    });
    ObjectNode loc = root.putObject("localization");
    loc.put("language", a.installerLocale());
    loc.put("keyboard", a.keyboard());
    loc.put("timezone", a.timezone());
    ObjectNode rootAuth = root.putObject("root");
    rootAuth.put("hashedPassword", true);
    rootAuth.put("password", a.rootPasswordHash().orElse("!"));
    if (!a.users().isEmpty()) {
      AnswerValues.User first = a.users().get(0);
      ObjectNode user = root.putObject("user");
      user.put("fullName", first.name());
      user.put("userName", first.name());
      user.put("password", first.passwordHash().orElse("!"));
      user.put("hashedPassword", true);
    }
    ObjectNode software = root.putObject("software");
    ArrayNode packages = software.putArray("packages");
    packages.add("openssh");
    packages.add("sudo");
    a.packages().forEach(packages::add);
    ObjectNode storage = root.putObject("storage");
    ObjectNode drive = storage.putArray("drives").addObject();
    ArrayNode partitions = drive.putArray("partitions");
    partitions.addObject().put("search", "*").put("delete", true);
    partitions.addObject().put("generate", "mandatory");
    if (a.partitioning() == Partitioning.LVM) {
      drive.put("alias", "system-disk");
      ObjectNode vg = storage.putArray("volumeGroups").addObject();
      vg.put("name", "system");
      vg.putArray("physicalVolumes").addObject().putArray("generate").add("system-disk");
      ObjectNode lv = vg.putArray("logicalVolumes").addObject();
      lv.put("name", "root");
      lv.putObject("filesystem").put("path", "/").put("type", "ext4");
    } else {
      partitions.addObject().putObject("filesystem").put("path", "/").put("type", "ext4");
    }
    ObjectNode script = root.putObject("scripts").putArray("post").addObject();
    script.put("name", "kiln-users");
    script.put("chroot", true);
    script.put("content", UserSetupScript.render(a));
    try {
      return Map.of("autoinst.json", JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
