package dev.kiln.templates;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardening scan's guest script, as the Debian profile assembles it, run as root in a real
 * Debian 12 system (mmdebstrap) with Debian's own SCAP Security Guide package: the real
 * {@code oscap} from the bookworm mirror evaluates the profile, and the system's package
 * database is the same before and after (the scanner and its libraries are gone again). The
 * results are judged with {@code xmllint}, which shares nothing with the script. (The VM test
 * runs it in a real build and checks the template's own disk.)
 */
@Tag("validator")
class HardeningScanScriptTest {
  static final String MIRROR = "http://deb.debian.org/debian";
  /** Debian's scap-security-guide 0.1.76 (trixie), the first with Debian 12 content. */
  static final String CONTENT = MIRROR + "/pool/main/s/scap-security-guide/"
      + "ssg-debian_0.1.76-1_all.deb";
  static final String CONTENT_SHA256 =
      "f6880719015c16e8e221bc2503c0e5a9f83d6a09fc6f9292d3522e46bf4fc9d7";
  static final String PROFILE = "xccdf_org.ssgproject.content_profile_standard";

  /** One Debian system for both tests: each leaves its package database as it found it. */
  @TempDir static Path dir;
  static Path root;

  @BeforeAll
  static void debian() throws Exception {
    root = dir.resolve("root");
    run(List.of("mmdebstrap", "--variant=apt", "bookworm", root.toString(),
        "deb " + MIRROR + " bookworm main"));
    Files.copy(Path.of("/etc/resolv.conf"), root.resolve("etc/resolv.conf"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    download(CONTENT, CONTENT_SHA256, root.resolve("tmp/kiln-hardening-content.deb"));
    String script = Catalog.builtIn().profile("debian").orElseThrow().guestScript(
        "hardening-scan", Recipes.defaults(Catalog.builtIn().entry("debian-12")
            .orElseThrow())).orElseThrow();
    Files.writeString(root.resolve("tmp/hardening-scan.sh"), script);
  }

  @Test
  void theRealScannerEvaluatesTheProfileAndLeavesThePackageDatabaseAsItWas() throws Exception {
    String before = packages(root);
    assertThat(before).doesNotContain("openscap");

    run(List.of("chroot", root.toString(), "sh", "/tmp/hardening-scan.sh", PROFILE,
        "ssg-debian12-ds.xml", "/tmp/kiln-hardening-content.deb"));

    Path arf = root.resolve("tmp/kiln-hardening/arf.xml");
    assertThat(xpath(arf, "string(//*[local-name()='TestResult']/*[local-name()='profile']"
        + "/@idref)")).isEqualTo(PROFILE);
    assertThat(xpath(arf, "string(//*[local-name()='TestResult']/@test-system)"))
        .startsWith("cpe:/a:redhat:openscap:");
    int selected = Integer.parseInt(xpath(arf, "count(//*[local-name()='rule-result']"
        + "[*[local-name()='result'] != 'notselected'])"));
    int passed = Integer.parseInt(xpath(arf, "count(//*[local-name()='rule-result']"
        + "[*[local-name()='result'] = 'pass'])"));
    assertThat(selected).as("rules the profile selects").isGreaterThan(20);
    assertThat(passed).as("rules passed").isPositive();
    assertThat(Files.readString(root.resolve("tmp/kiln-hardening/report.html"),
        StandardCharsets.UTF_8)).contains("OpenSCAP Evaluation Report", PROFILE);
    assertThat(packages(root)).as("the package database after the scan").isEqualTo(before);
    assertThat(root.resolve("usr/bin/oscap")).doesNotExist();
  }

  @Test
  void aMissingDataStreamSaysWhichTheContentHas() throws Exception {
    String before = packages(root);
    Process p = new ProcessBuilder("chroot", root.toString(), "sh", "/tmp/hardening-scan.sh",
        PROFILE, "ssg-debian13-ds.xml", "/tmp/kiln-hardening-content.deb")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isEqualTo(65);
    assertThat(out).contains("no data stream named ssg-debian13-ds.xml",
        "ssg-debian11-ds.xml ssg-debian12-ds.xml");
    assertThat(packages(root)).as("the package database after the failed scan")
        .isEqualTo(before);
  }

  private static String packages(Path root) throws Exception {
    return run(List.of("chroot", root.toString(), "dpkg-query", "-W",
        "-f=${Package} ${Version} ${db:Status-Abbrev}\n"));
  }

  private static String xpath(Path file, String expression) throws Exception {
    return run(List.of("xmllint", "--xpath", expression, file.toString())).strip();
  }

  private static void download(String url, String sha256, Path to) throws Exception {
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body())))
        .as(url).isEqualTo(sha256);
    Files.write(to, r.body());
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", command) + ":\n" + out).isZero();
    return out;
  }
}
