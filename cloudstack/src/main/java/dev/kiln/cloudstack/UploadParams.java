package dev.kiln.cloudstack;

import java.net.URI;

/**
 * What {@code getUploadParamsForTemplate} returns: the new template's id and a one-time URL to
 * POST the file to, with headers to copy verbatim. {@code signature} is a credential for that
 * one upload and is not shown by {@link #toString()}.
 */
public record UploadParams(String id, URI postUrl, String metadata, String expires,
    String signature) {
  @Override
  public String toString() {
    return "UploadParams[id=" + id + ", postUrl=" + postUrl.getScheme() + "://"
        + postUrl.getAuthority() + "/…, expires=" + expires + "]";
  }
}
