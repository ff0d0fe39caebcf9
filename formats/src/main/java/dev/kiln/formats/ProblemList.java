package dev.kiln.formats;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems a checker finds, capped: a broken table can yield millions, and a report the
 * user can read holds the first {@link #MAX} and a line saying that more were not listed.
 */
public final class ProblemList {
  /** Problems listed before the rest are only counted. */
  public static final int MAX = 100;

  private final List<String> problems = new ArrayList<>();
  private long more;

  /** Lists {@code problem}, or only counts it once {@link #MAX} are listed. */
  public void add(String problem) {
    if (problems.size() < MAX) {
      problems.add(problem);
    } else {
      more++;
    }
  }

  /** The listed problems, then one line counting those not listed. */
  public List<String> toList() {
    List<String> out = new ArrayList<>(problems);
    if (more > 0) {
      out.add("… and " + more + " more problems not listed");
    }
    return List.copyOf(out);
  }
}
