package dev.kiln.cloudstack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The template-describing parameters shared by {@code registerTemplate} and
 * {@code getUploadParamsForTemplate}. Made with {@link #builder}.
 */
public final class TemplateRequest {
  private final Map<String, String> params;

  private TemplateRequest(Map<String, String> params) {
    this.params = Map.copyOf(params);
  }

  /** API parameter names (lower case, as sent) to values. */
  public Map<String, String> parameters() {
    return params;
  }

  public String name() {
    return params.get("name");
  }

  public Optional<String> checksum() {
    return Optional.ofNullable(params.get("checksum"));
  }

  /**
   * @param format QCOW2, VHD, VHDX, OVA or RAW
   * @param hypervisor KVM, XenServer, VMware, Hyperv
   */
  public static Builder builder(String name, String format, String hypervisor, String zoneId,
      String osTypeId) {
    return new Builder(name, format, hypervisor, zoneId, osTypeId);
  }

  /** Builder for {@link TemplateRequest}. */
  public static final class Builder {
    private final Map<String, String> p = new LinkedHashMap<>();
    private int details;

    private Builder(String name, String format, String hypervisor, String zoneId,
        String osTypeId) {
      p.put("name", Objects.requireNonNull(name));
      p.put("displaytext", name);
      p.put("format", Objects.requireNonNull(format));
      p.put("hypervisor", Objects.requireNonNull(hypervisor));
      p.put("zoneid", Objects.requireNonNull(zoneId));
      p.put("ostypeid", Objects.requireNonNull(osTypeId));
    }

    public Builder displayText(String text) {
      p.put("displaytext", text);
      return this;
    }

    /** SHA-256 of the file as CloudStack downloads it (compressed bytes). */
    public Builder sha256(String hex) {
      if (!hex.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("SHA-256 must be 64 lower-case hex digits");
      }
      p.put("checksum", "{SHA-256}" + hex);
      return this;
    }

    public Builder passwordEnabled(boolean v) {
      p.put("passwordenabled", Boolean.toString(v));
      return this;
    }

    public Builder sshKeyEnabled(boolean v) {
      p.put("sshkeyenabled", Boolean.toString(v));
      return this;
    }

    public Builder dynamicallyScalable(boolean v) {
      p.put("isdynamicallyscalable", Boolean.toString(v));
      return this;
    }

    public Builder extractable(boolean v) {
      p.put("isextractable", Boolean.toString(v));
      return this;
    }

    public Builder isPublic(boolean v) {
      p.put("ispublic", Boolean.toString(v));
      return this;
    }

    public Builder deployAsIs(boolean v) {
      p.put("deployasis", Boolean.toString(v));
      return this;
    }

    public Builder arch(String arch) {
      p.put("arch", arch);
      return this;
    }

    /**
     * A template detail, e.g. {@code UEFI=SECURE} or {@code rootDiskController=virtio}, sent
     * as {@code details[i].KEY=VALUE} (the API's documented form).
     */
    public Builder detail(String key, String value) {
      if (!key.matches("[A-Za-z][A-Za-z0-9_.-]{0,63}")) {
        throw new IllegalArgumentException("detail key must be a plain name: " + key);
      }
      p.put("details[" + details + "]." + key, value);
      details++;
      return this;
    }

    public TemplateRequest build() {
      return new TemplateRequest(p);
    }
  }
}
