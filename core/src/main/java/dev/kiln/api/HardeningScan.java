package dev.kiln.api;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A hardening scan of the template with the real OpenSCAP scanner: after provisioning and the
 * security updates, before generalization, the guest installs its distribution's
 * {@code openscap-scanner}, evaluates an XCCDF profile of SCAP Security Guide content, and
 * removes what it installed again. The ARF results and the HTML report become build outputs;
 * the rule counts go into the manifest.
 *
 * @param profile the XCCDF profile: a full id ({@code xccdf_org.ssgproject.content_profile_…})
 *     or its short name ({@code standard}, {@code cis_level1_server}, …)
 * @param content the SCAP content to scan with: a {@code .deb} or {@code .rpm} of the SCAP
 *     Security Guide, or a source data stream ({@code .xml}), fetched and verified like a source
 *     image. Empty: the guest's own distribution package ({@code ssg-debian},
 *     {@code ssg-debderived}, {@code scap-security-guide})
 * @param datastream the data stream file's name inside the content; empty:
 *     {@code ssg-<os id><version digits>-ds.xml}, e.g. {@code ssg-debian12-ds.xml}
 * @param maxFailed the most rules that may fail (or err); more fail the build. Empty: no
 *     limit, failures only warn
 */
public record HardeningScan(String profile, Optional<RemoteFile> content,
    Optional<String> datastream, OptionalInt maxFailed) {
  /** The XCCDF prefix of the SCAP Security Guide's profile ids. */
  public static final String SSG_PROFILE_PREFIX = "xccdf_org.ssgproject.content_profile_";

  /** Refuses a profile or data stream name a shell or path could misread, and a negative limit. */
  public HardeningScan {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(datastream, "datastream");
    Objects.requireNonNull(maxFailed, "maxFailed");
    if (!profile.matches("[A-Za-z0-9_.:-]{1,200}")) {
      throw new IllegalArgumentException("profile must be an XCCDF profile id such as standard "
          + "or " + SSG_PROFILE_PREFIX + "standard");
    }
    if (datastream.isPresent() && !datastream.get().matches("[A-Za-z0-9_.-]{1,200}\\.xml")) {
      throw new IllegalArgumentException("datastream must be a file name ending in .xml, such "
          + "as ssg-debian12-ds.xml");
    }
    if (maxFailed.isPresent() && maxFailed.getAsInt() < 0) {
      throw new IllegalArgumentException("maxFailed must not be negative");
    }
  }

  /** The profile's full XCCDF id (a short name gets the SCAP Security Guide's prefix). */
  public String profileId() {
    return profile.startsWith("xccdf_") ? profile : SSG_PROFILE_PREFIX + profile;
  }

  /** The data stream's file name for {@code os}: the recipe's, or the guide's naming rule. */
  public String datastreamFor(OsSelection os) {
    return datastream.orElseGet(() -> "ssg-" + os.id().replaceAll("[^a-z0-9]", "")
        + os.version().replaceAll("[^0-9]", "") + "-ds.xml");
  }
}
