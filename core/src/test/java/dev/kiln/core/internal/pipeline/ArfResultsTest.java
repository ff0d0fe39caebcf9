package dev.kiln.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ARF reader against the shapes XCCDF 1.2 gives (NISTIR 7275r4 §6.6: TestResult,
 * rule-result, result) and against hostile files from the guest. Real oscap output is read in
 * the VM test, where xmllint counts the same file.
 */
class ArfResultsTest {
  @TempDir Path dir;

  static final String HEAD = "<?xml version=\"1.0\"?>\n"
      + "<arf:asset-report-collection xmlns:arf=\"http://scap.nist.gov/schema/"
      + "asset-reporting-format/1.1\"><arf:reports><arf:report id=\"xccdf1\"><arf:content>";
  static final String TAIL = "</arf:content></arf:report></arf:reports>"
      + "</arf:asset-report-collection>\n";

  static String rule(String id, String result) {
    return "<rule-result idref=\"" + id + "\" severity=\"low\"><result>" + result
        + "</result><ident system=\"x\">CCE-1</ident></rule-result>";
  }

  @Test
  void countsEachResultLeavesOutTheUnselectedAndNamesTheFailures() throws Exception {
    Path arf = dir.resolve("arf.xml");
    // a result element outside the XCCDF namespace (an OVAL one) does not count
    Files.writeString(arf, HEAD + "<oval_results xmlns=\"http://oval.mitre.org/XMLSchema/"
        + "oval-results-5\"><result>fail</result></oval_results>"
        + "<TestResult xmlns=\"http://checklists.nist.gov/xccdf/1.2\" id=\"t\" "
        + "test-system=\"cpe:/a:redhat:openscap:1.3.7\"><profile idref=\"p\"/>"
        + rule("r1", "pass") + rule("r2", "fail") + rule("r3", "notselected")
        + rule("r4", "notapplicable") + rule("r5", " error ") + rule("r6", "pass")
        + "<score system=\"urn:xccdf:scoring:default\">50</score></TestResult>" + TAIL);
    ArfResults r = ArfResults.read(arf);
    assertThat(r.testSystem()).isEqualTo("cpe:/a:redhat:openscap:1.3.7");
    assertThat(r.results()).containsExactly(Map.entry("pass", 2), Map.entry("fail", 1),
        Map.entry("notapplicable", 1), Map.entry("error", 1));
    assertThat(r.rules()).isEqualTo(5);
    assertThat(r.failed()).containsExactly("r2", "r5");
  }

  @Test
  void anExternalEntityIsNotResolved() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "the-host-secret");
    Path arf = dir.resolve("arf.xml");
    Files.writeString(arf, "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \""
        + secret.toUri() + "\">]>\n<TestResult xmlns=\"http://checklists.nist.gov/xccdf/1.2\">"
        + "<rule-result idref=\"a\"><result>&x;</result></rule-result></TestResult>");
    assertThatThrownBy(() -> ArfResults.read(arf)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("the OpenSCAP results arf.xml are not well-formed XML: ")
        .hasMessageNotContaining("the-host-secret");
  }

  @Test
  void aTruncatedFileOrOneWithoutResultsIsRefusedByName() throws Exception {
    Path cut = dir.resolve("cut.xml");
    Files.writeString(cut, HEAD + "<TestResult xmlns=\"http://checklists.nist.gov/xccdf/1.2\">"
        + rule("r1", "pass").substring(0, 30));
    assertThatThrownBy(() -> ArfResults.read(cut)).isInstanceOf(IOException.class)
        .hasMessageStartingWith("the OpenSCAP results cut.xml are not well-formed XML");
    Path none = dir.resolve("none.xml");
    Files.writeString(none, HEAD + TAIL);
    assertThatThrownBy(() -> ArfResults.read(none)).isInstanceOf(IOException.class)
        .hasMessage("the OpenSCAP results none.xml hold no XCCDF 1.2 TestResult");
    assertThat(List.of(cut, none)).allMatch(Files::exists);
  }
}
