package dev.kiln.templates.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.kiln.api.Partitioning;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ubuntu autoinstall inside cloud-init user-data (NoCloud on a CIDATA seed): built as a tree
 * and written by a YAML library, so every value is quoted by the emitter. Users, keys and sudo
 * go into autoinstall's {@code user-data} (cloud-init runs it on first boot of the installed
 * system). Storage: the {@code direct} layout (one ext4 root) or {@code lvm}, no swap; ends in
 * {@code shutdown: poweroff}.
 */
public final class SubiquityRenderer {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  private SubiquityRenderer() {}

  /** {@code user-data} and {@code meta-data} for the CIDATA seed. */
  public static Map<String, byte[]> render(AnswerValues a) {
    ObjectNode root = YAML.createObjectNode();
    ObjectNode ai = root.putObject("autoinstall");
    ai.put("version", 1);
    ai.put("locale", a.installerLocale());
    ai.putObject("keyboard").put("layout", a.keyboard().split("-")[0]);
    ai.put("timezone", a.timezone());
    ObjectNode ssh = ai.putObject("ssh");
    ssh.put("install-server", true);
    ssh.put("allow-pw", a.users().stream().anyMatch(u -> u.passwordHash().isPresent()));
    ObjectNode storage = ai.putObject("storage");
    storage.putObject("layout").put("name", a.partitioning() == Partitioning.LVM ? "lvm"
        : "direct");
    storage.putObject("swap").put("size", 0);
    ArrayNode packages = ai.putArray("packages");
    packages.add("cloud-init");
    a.packages().forEach(packages::add);
    ObjectNode userData = ai.putObject("user-data");
    userData.put("disable_root", a.rootPasswordHash().isEmpty());
    // no empty lists: cloud-init 22.4 (Debian 12's, still on older media) rejects
    // "users: []" and "ssh_authorized_keys: []" as too short
    ArrayNode users = a.users().isEmpty() ? null : userData.putArray("users");
    for (AnswerValues.User u : a.users()) {
      ObjectNode user = users.addObject();
      user.put("name", u.name());
      user.put("shell", "/bin/bash");
      u.passwordHash().ifPresent(h -> {
        user.put("passwd", h);
        user.put("lock_passwd", false);
      });
      if (u.sudo()) {
        user.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
      }
      if (!u.groups().isEmpty()) {
        user.put("groups", String.join(",", u.groups()));
      }
      if (!u.sshKeys().isEmpty()) {
        ArrayNode keys = user.putArray("ssh_authorized_keys");
        u.sshKeys().forEach(keys::add);
      }
    }
    a.rootPasswordHash().ifPresent(h -> userData.putObject("chpasswd").put("expire", false)
        .putArray("users").addObject().put("name", "root").put("password", h)
        .put("type", "hash"));
    ai.put("shutdown", "poweroff");
    Map<String, byte[]> files = new LinkedHashMap<>();
    try {
      files.put("user-data", ("#cloud-config\n" + YAML.writeValueAsString(root))
          .getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.put("meta-data", "instance-id: kiln-install\n".getBytes(StandardCharsets.UTF_8));
    return files;
  }
}
