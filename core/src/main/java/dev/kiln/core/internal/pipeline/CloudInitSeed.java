package dev.kiln.core.internal.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.kiln.api.Answers;
import dev.kiln.api.KilnException;
import dev.kiln.api.UserAccount;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The NoCloud user-data of a build's first boot: the build user (sudo, the build key) and the
 * recipe's users with their keys, sudo rules and SHA-512-crypt passwords, written by a YAML
 * library so every value is quoted.
 */
final class CloudInitSeed {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private CloudInitSeed() {}

  static String userData(String buildUser, String buildKey, Answers answers)
      throws KilnException {
    ObjectNode root = YAML.createObjectNode();
    ArrayNode users = root.putArray("users");
    ObjectNode build = users.addObject();
    build.put("name", buildUser);
    build.put("shell", "/bin/bash");
    build.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
    build.putArray("ssh_authorized_keys").add(buildKey);
    for (UserAccount u : answers.users()) {
      ObjectNode user = users.addObject();
      user.put("name", u.name());
      user.put("shell", "/bin/bash");
      if (u.sudo()) {
        user.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
      }
      if (!u.groups().isEmpty()) {
        user.put("groups", String.join(",", u.groups()));
      }
      if (u.password().isPresent()) {
        user.put("passwd", u.password().get().sha512Crypt());
        user.put("lock_passwd", false);
      }
      ArrayNode keys = user.putArray("ssh_authorized_keys");
      u.sshKeys().forEach(keys::add);
    }
    try {
      return "#cloud-config\n" + YAML.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
