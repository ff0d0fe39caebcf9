package dev.kiln.core.internal.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.formats.iso9660.IsoImageWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A ConfigDrive as CloudStack writes it for a VM on a network with the ConfigDrive provider:
 * an ISO 9660 volume labelled {@code config-2} holding the OpenStack layout that cloud-init's
 * ConfigDrive data source reads ({@code openstack/latest/meta_data.json}, {@code user_data},
 * {@code vendor_data.json}) and CloudStack's own ({@code cloudstack/metadata/*.txt},
 * {@code cloudstack/userdata/user_data.txt}, {@code cloudstack/password/vm_password.txt}), as
 * CloudStack's {@code ConfigDriveBuilder} lays them out.
 *
 * @param instanceId a new instance id (cloud-init treats the boot as a new instance)
 * @param hostname the VM's host name
 * @param publicKey the OpenSSH public key CloudStack would inject (the key reset)
 * @param userData user data, if any
 * @param password a password for CloudStack's password file, if any
 */
public record ConfigDrive(String instanceId, String hostname, String publicKey,
    Optional<String> userData, Optional<String> password) {
  /** The volume label cloud-init looks for. */
  public static final String LABEL = "config-2";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes the drive's ISO image to {@code iso}. */
  public void writeTo(Path iso) throws IOException {
    ObjectNode meta = JSON.createObjectNode();
    meta.put("uuid", instanceId);
    meta.put("hostname", hostname);
    meta.put("name", hostname);
    meta.put("availability_zone", "kiln-verify");
    meta.put("launch_index", 0);
    meta.putObject("public_keys").put("kiln-verify", publicKey);
    IsoImageWriter.Builder b = IsoImageWriter.builder(LABEL)
        .addFile("openstack/latest/meta_data.json", JSON.writeValueAsBytes(meta))
        .addFile("openstack/latest/vendor_data.json", "{}".getBytes(StandardCharsets.UTF_8))
        .addFile("cloudstack/metadata/instance-id.txt", utf8(instanceId))
        .addFile("cloudstack/metadata/vm-id.txt", utf8(instanceId))
        .addFile("cloudstack/metadata/local-hostname.txt", utf8(hostname))
        .addFile("cloudstack/metadata/public-keys.txt", utf8(publicKey))
        .addFile("cloudstack/metadata/availability-zone.txt", utf8("kiln-verify"));
    if (userData.isPresent()) {
      b.addFile("openstack/latest/user_data", utf8(userData.get()));
      b.addFile("cloudstack/userdata/user_data.txt", utf8(userData.get()));
    }
    if (password.isPresent()) {
      b.addFile("cloudstack/password/vm_password.txt", utf8(password.get()));
    }
    b.writeTo(iso);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
