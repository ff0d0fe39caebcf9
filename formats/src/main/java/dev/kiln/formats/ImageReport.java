package dev.kiln.formats;

import java.util.List;

/**
 * What {@link FormatCodec#inspect} found: the format, sizes, and every structural problem (an
 * empty list means the image is sound).
 *
 * @param format the detected format
 * @param virtualSize the guest-visible size, or -1 when the header is unreadable
 * @param allocatedBytes bytes the file occupies on disk
 * @param details format-specific facts, e.g. {@code compat=1.1}, {@code subformat=dynamic}
 * @param problems each problem, naming the structure and its offset
 */
public record ImageReport(ImageFormat format, long virtualSize, long allocatedBytes,
    List<String> details, List<String> problems) {
  public ImageReport {
    details = List.copyOf(details);
    problems = List.copyOf(problems);
  }

  public boolean sound() {
    return problems.isEmpty();
  }
}
