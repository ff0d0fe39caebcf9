package dev.kiln.formats.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The readers' fuzz targets under JUnit. In the ordinary test run (regression mode) each runs
 * on every seed and past finding kept in {@code src/test/resources/dev/kiln/formats/fuzz/
 * ReaderFuzzTestInputs/<method>/}: the seeds were made by qemu-img, qemu-io, xorriso,
 * genisoimage and Python's tarfile ({@code scripts/make-fuzz-seeds.sh}), the findings by
 * fuzzing. With {@code JAZZER_FUZZ=1} one of them fuzzes for its {@code maxDuration};
 * {@code scripts/fuzz.sh} runs all of them for a set time with Jazzer's standalone driver.
 */
class ReaderFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void disk(byte[] data) throws Exception {
    ReaderTargets.disk(data);
  }

  @FuzzTest(maxDuration = "60s")
  void iso(byte[] data) throws Exception {
    ReaderTargets.iso(data);
  }

  @FuzzTest(maxDuration = "60s")
  void ova(byte[] data) throws Exception {
    ReaderTargets.ova(data);
  }
}
