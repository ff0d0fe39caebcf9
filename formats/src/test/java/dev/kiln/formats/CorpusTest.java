package dev.kiln.formats;

import dev.kiln.formats.io.Converter;
import dev.kiln.formats.qcow2.Qcow2Image;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hostile-image corpus ({@code src/test/resources/corpus}, made by {@link CorpusGenerator}):
 * each planted corruption is found by inspection, and converting from it either fails with a
 * typed error naming the field or completes — never hangs, runs out of memory, or leaves a
 * partial output file.
 */
class CorpusTest {
  @TempDir
  Path tmp;

  /** Corpus file, what inspect must report, and the error conversion must raise (or null). */
  static Stream<Arguments> corpus() {
    return Stream.of(
        Arguments.of("qcow2-truncated", "lie outside the 229376-byte file (l1_table_offset",
            "l1_table_offset"),
        Arguments.of("qcow2-absurd-size", "is absurd (size at offset 24)", "size"),
        Arguments.of("qcow2-backing-file", "images with a backing file (backing_file_offset",
            "backing_file_offset"),
        Arguments.of("qcow2-l2-past-eof", "points to L2 table 1099511627776, outside the file",
            "L1 entry 0"),
        // a loop or an overlap is a cluster referenced twice: reading refuses it, so a small
        // file cannot claim more data than it holds
        Arguments.of("qcow2-l2-loop", "already in use (a table pointing into other metadata, "
            + "or a loop)", "L2 entry"),
        Arguments.of("qcow2-overlapping-clusters", "overlaps cluster", "L2 entry"),
        Arguments.of("qcow2-leaked-cluster", "leaked cluster", null),
        Arguments.of("qcow2-bad-compressed-data", "is not valid deflate data", "L2 entry"),
        Arguments.of("vhd-truncated", "no VHD footer cookie", "cookie"),
        Arguments.of("vhd-bad-footer-checksum", "footer checksum mismatch", "checksum"),
        Arguments.of("vhd-absurd-size", "is absurd", "current_size"),
        Arguments.of("vhd-bat-past-eof", "past the end of the data", "BAT entry 0"),
        Arguments.of("vhd-overlapping-blocks", "overlaps another block", "BAT entry 1"));
  }

  private Path unpack(String name) throws Exception {
    Path out = tmp.resolve(name);
    try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream(
        "/corpus/" + name + ".gz"))) {
      Files.copy(in, out);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void inspectFindsThePlantedCorruption(String name, String finding, String field)
      throws Exception {
    ImageReport report = FormatRegistry.standard().inspect(unpack(name));
    assertThat(report.problems()).as("problems of %s", name)
        .anySatisfy(p -> assertThat(p).contains(finding));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void conversionFailsTypedOrCompletesAndNeverLeavesAPartialFile(String name, String finding,
      String field) throws Exception {
    Path in = unpack(name);
    Path out = tmp.resolve(name + ".out.qcow2");
    if (field == null) {
      try (DiskImage image = FormatRegistry.standard().open(in);
          Qcow2Writer w = Qcow2Writer.create(out, image.virtualSize(), Qcow2Options.defaults())) {
        Converter.convert(image, w, d -> { });
      }
      assertThat(out).exists();
    } else {
      assertThatThrownBy(() -> {
        try (DiskImage image = FormatRegistry.standard().open(in);
            Qcow2Writer w = Qcow2Writer.create(out, image.virtualSize(),
                Qcow2Options.defaults())) {
          Converter.convert(image, w, d -> { });
        }
      }).isInstanceOf(FormatException.class)
          .satisfies(e -> assertThat(((FormatException) e).field()).startsWith(field));
      assertThat(out).doesNotExist();
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(Path::toString)).noneMatch(f -> f.endsWith(".partial"));
    }
  }

  @Test
  void wrongMagicIsDetectedAsRawButRefusedAsQcow2() throws Exception {
    Path in = unpack("qcow2-bad-magic");
    assertThat(FormatRegistry.standard().detect(in)).isEqualTo(ImageFormat.RAW);
    assertThatThrownBy(() -> Qcow2Image.open(in)).isInstanceOf(FormatException.class)
        .hasMessageContaining("not a qcow2 image (magic at offset 0)");
  }
}
