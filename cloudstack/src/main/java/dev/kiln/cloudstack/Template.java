package dev.kiln.cloudstack;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One row of {@code listTemplates}: a template in one zone. {@code status} goes
 * {@code "N% Downloaded"} → {@code "Installing Template"} → {@code "Download Complete"};
 * {@code downloadStates} holds each secondary store's {@code downloadState}.
 */
public record Template(String id, String name, Optional<String> zoneId, Optional<String> zoneName,
    boolean ready, String status, String hypervisor, String format, String created,
    List<String> downloadStates, Map<String, String> tags) {
  /** Download states CloudStack reports for a failed download or upload. */
  public static final List<String> FAILED_STATES = List.of("DOWNLOAD_ERROR", "ABANDONED",
      "UPLOAD_ERROR", "UPLOAD_ABANDONED");

  public Template {
    downloadStates = List.copyOf(downloadStates);
    tags = Map.copyOf(tags);
  }

  /** Whether this zone's copy failed for good (it will not become ready by waiting). */
  public boolean failed() {
    if (downloadStates.stream().anyMatch(FAILED_STATES::contains)) {
      return true;
    }
    String s = status.toLowerCase(java.util.Locale.ROOT);
    return s.contains("error") || s.contains("failed") || s.contains("checksum")
        || s.contains("abandoned");
  }

  /**
   * Whether this is the template of an upload whose bytes never arrived: it exists from
   * {@code getUploadParamsForTemplate} on, as {@code NOT_UPLOADED} / "Not uploaded".
   */
  public boolean neverUploaded() {
    String s = status.toLowerCase(java.util.Locale.ROOT);
    return !ready && (downloadStates.contains("NOT_UPLOADED") || s.equals("not uploaded")
        || s.contains("upload not started"));
  }

  /** The download percentage in {@code status}, when it says one. */
  public Optional<Integer> percent() {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,3})%").matcher(status);
    return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }
}
