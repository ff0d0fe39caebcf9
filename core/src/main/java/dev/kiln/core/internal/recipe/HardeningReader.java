package dev.kiln.core.internal.recipe;

import dev.kiln.api.HardeningScan;
import dev.kiln.api.RemoteFile;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The recipe's {@code hardening:} section: {@code profile} (required), {@code content} (a
 * verified download or local file, like a source image), {@code datastream}, {@code maxFailed}.
 */
final class HardeningReader {
  private final SourceReader files;

  HardeningReader(SourceReader files) {
    this.files = files;
  }

  HardeningScan read(MapReader m) {
    Optional<String> profile = m.string("profile", "[A-Za-z0-9_.:-]{1,200}",
        "must be an XCCDF profile id such as standard or "
            + HardeningScan.SSG_PROFILE_PREFIX + "standard");
    if (!m.has("profile")) {
      m.problem("profile", "missing required field: the XCCDF profile to evaluate, e.g. standard");
    }
    Optional<RemoteFile> content = Optional.empty();
    Optional<MapReader> inner = m.map("content");
    if (inner.isPresent()) {
      content = Optional.ofNullable(files.readRemoteFile(inner.get()));
      inner.get().finish();
    }
    Optional<String> datastream = m.string("datastream", "[A-Za-z0-9_.-]{1,200}\\.xml",
        "must be the data stream's file name, such as ssg-debian12-ds.xml");
    OptionalInt maxFailed = m.has("maxFailed")
        ? OptionalInt.of((int) m.integer("maxFailed", 0, 100_000, 0)) : OptionalInt.empty();
    m.finish();
    if (profile.isEmpty() || (inner.isPresent() && content.isEmpty())) {
      return null; // reported above
    }
    return new HardeningScan(profile.get(), content, datastream, maxFailed);
  }
}
