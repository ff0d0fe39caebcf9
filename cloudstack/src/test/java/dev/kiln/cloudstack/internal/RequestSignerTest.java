package dev.kiln.cloudstack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The signature against the official developer guide's known answer, and edge cases whose
 * string to sign is written out by hand from the rules and whose HMAC is computed by
 * {@code openssl dgst -sha1 -hmac} (not by Kiln).
 */
class RequestSignerTest {
  static final String GUIDE_API_KEY = "plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1E"
      + "lZLYq_u38zCm0bewzGUdP66mg";
  static final String GUIDE_SECRET = "VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj87ZKiy0z0ty0ZsYBk"
      + "oXkY9b7eq1EhwJaw7FF3akA3KBQ";

  @Test
  void developerGuideKnownAnswer() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("command", "listUsers");
    p.put("response", "json");
    p.put("apikey", GUIDE_API_KEY);
    assertThat(RequestSigner.stringToSign(p)).isEqualTo("apikey=plgwjfzk4gys3momtvmjuvg-x-jlwlnf"
        + "auj9gabbbf9edm-kaymmailqzzq1elzlyq_u38zcm0bewzgudp66mg&command=listusers&response=json");
    assertThat(RequestSigner.sign(p, GUIDE_SECRET)).isEqualTo("TTpdDq/7j/J58XCRHomKoQXEQds=");
  }

  @Test
  void spacesPlusStarTildeSlashAndEmptyValues() throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("name", "Debian 12 + tools*~/x");
    p.put("displaytext", "");
    p.put("command", "registerTemplate");
    // by the rules: URLEncoder ("+" for space, "*" kept, "~" and "/" escaped), "+" -> "%20",
    // sorted by name, lower-cased as a whole
    String expected = "command=registertemplate&displaytext=&name=debian%2012%20%2b%20tools*%7e"
        + "%2fx";
    assertThat(RequestSigner.stringToSign(p)).isEqualTo(expected);
    assertThat(RequestSigner.sign(p, "s3cret")).isEqualTo(openssl(expected, "s3cret"));
  }

  @Test
  void namesSortAsSentCaseSensitively() throws Exception {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("details[0].UEFI", "SECURE");
    p.put("details[0].rootDiskController", "virtio");
    p.put("command", "x");
    p.put("Zeta", "1");
    p.put("alpha", "2");
    // 'Z' (0x5A) sorts before 'a' (0x61) and 'U' before 'r': case-sensitive, as sent
    String expected = "zeta=1&alpha=2&command=x&details[0].uefi=secure"
        + "&details[0].rootdiskcontroller=virtio";
    assertThat(RequestSigner.stringToSign(p)).isEqualTo(expected);
    assertThat(RequestSigner.sign(p, "k")).isEqualTo(openssl(expected, "k"));
  }

  @Test
  void theSignatureItselfIsNeverSigned() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("command", "listZones");
    String before = RequestSigner.sign(p, "k");
    p.put("signature", "whatever");
    assertThat(RequestSigner.sign(p, "k")).isEqualTo(before);
  }

  @Test
  void onTheWireEveryValueIsPercentEncodedTheSignatureToo() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("command", "listZones");
    p.put("signature", "ab+c/d=");
    assertThat(RequestSigner.formBody(p)).isEqualTo("command=listZones&signature=ab%2Bc%2Fd%3D");
  }

  static String openssl(String data, String key) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c",
        "openssl dgst -sha1 -hmac \"$KEY\" -binary | base64");
    pb.environment().put("KEY", key);
    Process p = pb.start();
    p.getOutputStream().write(data.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).isNotEmpty();
    return out;
  }
}
