package dev.kiln.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.api.Recipe;
import dev.kiln.spi.OsProfile.InstallPlan;
import dev.kiln.spi.OsProfile;
import dev.kiln.templates.values.CatalogEntry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rendered answer file of every catalog entry, for the default recipe and an unusual one
 * (UEFI, LVM, several users, quotes, $, backticks, ]]>, %end and unicode in key comments and
 * passwords), judged by the best validator available here, and read back to prove every value
 * arrived as given (nothing was injected).
 */
@Tag("validator")
class AnswerFilesValidateTest {
  static final Catalog CATALOG = Catalog.builtIn();
  @TempDir Path dir;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (CatalogEntry e : CATALOG.entries()) {
      out.add(Arguments.of(e.osId(), "default", Recipes.defaults(e)));
      out.add(Arguments.of(e.osId(), "unusual", Recipes.unusual(e)));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void answersValidate(String osId, String kind, Recipe recipe) throws Exception {
    CatalogEntry e = CATALOG.entry(osId).orElseThrow();
    OsProfile profile = CATALOG.profile(e.id()).orElseThrow();
    InstallPlan plan = profile.plan(recipe);
    assertThat(plan.delivery()).isEqualTo(e.installer().delivery());
    assertThat(plan.kernelArguments()).contains("console=ttyS0,115200");
    assertThat(plan.kernelPathInIso()).isEqualTo(e.iso().kernel());
    List<String> expectedKeys = recipe.answers().users().stream()
        .flatMap(u -> u.sshKeys().stream()).toList();
    for (var f : plan.answerFiles().entrySet()) {
      Files.write(dir.resolve(f.getKey()), f.getValue());
    }
    String text = new String(plan.answerFiles().values().iterator().next(),
        StandardCharsets.UTF_8);
    assertThat(new String(String.join("", plan.answerFiles().keySet()).getBytes()))
        .isNotEmpty();
    // no secret in clear text anywhere
    for (byte[] content : plan.answerFiles().values()) {
      assertThat(new String(content, StandardCharsets.UTF_8)).doesNotContain("pa'ss")
          .doesNotContain("ünïcødé");
    }
    switch (e.installer()) {
      case SUBIQUITY -> subiquity(e, plan, expectedKeys);
      case DEBIAN_INSTALLER -> debian(plan, expectedKeys);
      case ANACONDA -> kickstart(e, plan, expectedKeys, recipe);
      case AUTOYAST -> autoyast(plan, expectedKeys);
      case AGAMA -> agama(plan, expectedKeys);
    }
    assertThat(text).isNotBlank();
  }

  private void subiquity(CatalogEntry e, InstallPlan plan, List<String> keys) throws Exception {
    assertThat(plan.answerFiles()).containsKeys("user-data", "meta-data");
    assertThat(plan.kernelArguments()).startsWith("autoinstall ");
    Path userData = dir.resolve("user-data");
    Judges.Verdict ci = Judges.cloudInitSchema(userData);
    assertThat(ci.ok()).as(ci.output()).isTrue();
    Judges.Verdict schema = Judges.jsonSchema(dir, "subiquity/" + e.option("schema")
        + "/autoinstall-schema.json", userData, "--draft", "7", "--pointer", "autoinstall");
    assertThat(schema.ok()).as(schema.output()).isTrue();
    JsonNode ai = new ObjectMapper(new YAMLFactory()).readTree(userData.toFile())
        .get("autoinstall");
    assertThat(ai.path("shutdown").asText()).isEqualTo("poweroff");
    // the installed system's cloud-config, judged on its own by the oldest cloud-init Kiln
    // supports (Debian 12's 22.4, which refuses empty lists such as "users: []")
    Path inner = dir.resolve("inner-user-data");
    Files.writeString(inner, "#cloud-config\n" + new ObjectMapper(new YAMLFactory())
        .writeValueAsString(ai.path("user-data")));
    Judges.Verdict innerCi = Judges.cloudInitSchema(inner);
    assertThat(innerCi.ok()).as(Files.readString(inner) + innerCi.output()).isTrue();
    List<String> got = new ArrayList<>();
    ai.path("user-data").path("users").forEach(u -> u.path("ssh_authorized_keys")
        .forEach(k -> got.add(k.asText())));
    assertThat(got).containsExactlyElementsOf(keys);
  }

  private void debian(InstallPlan plan, List<String> keys) throws Exception {
    Path preseed = dir.resolve("preseed.cfg");
    Judges.Verdict v = Judges.debconf(preseed);
    assertThat(v.ok()).as(v.output()).isTrue();
    String text = Files.readString(preseed);
    assertThat(text).contains("d-i debian-installer/exit/poweroff boolean true")
        .contains("partman-basicfilesystems/no_swap boolean false");
    assertThat(text.lines()).allMatch(l -> l.startsWith("#") || l.startsWith("d-i ")
        || l.startsWith("tasksel ") || l.startsWith("popularity-contest "));
    Matcher m = Pattern.compile("echo ([A-Za-z0-9+/=]+) \\| base64 -d").matcher(text);
    assertThat(m.find()).isTrue();
    String script = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
    UserScriptRun.assertKeysArrive(dir, script, keys);
  }

  private void kickstart(CatalogEntry e, InstallPlan plan, List<String> keys, Recipe recipe)
      throws Exception {
    String ks = Files.readString(dir.resolve("ks.cfg"));
    assertThat(KickstartSyntax.check(ks, e.option("kickstart"))).as(ks).isEmpty();
    assertThat(plan.kernelArguments()).contains("inst.ks=hd:LABEL=OEMDRV:/ks.cfg",
        "inst.stage2=hd:LABEL=");
    List<String> got = ks.lines().filter(l -> l.startsWith("sshkey "))
        .map(l -> KickstartSyntax.split(l).get(2)).toList();
    assertThat(got).containsExactlyElementsOf(keys);
    if (e.registration().isPresent() && recipe.answers().registration().isPresent()) {
      assertThat(ks).contains("rhsm --organization=org-12345 --activation-key=key-abc.123");
    }
    String post = ks.substring(ks.indexOf("%post"), ks.lastIndexOf("%end"));
    Judges.Verdict sc = Judges.shellcheck(dir, "#!/bin/sh\n" + post.substring(
        post.indexOf('\n') + 1));
    assertThat(sc.ok()).as(sc.output()).isTrue();
  }

  private void autoyast(InstallPlan plan, List<String> keys) throws Exception {
    Path xml = dir.resolve("autoinst.xml");
    Judges.Verdict wf = Judges.xmlWellFormed(xml);
    assertThat(wf.ok()).as(wf.output()).isTrue();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(
        xml)));
    Element profile = doc.getDocumentElement();
    String ns = "http://www.suse.com/1.0/yast2ns";
    assertThat(profile.getLocalName()).isEqualTo("profile");
    assertThat(profile.getNamespaceURI()).isEqualTo(ns);
    assertThat(text(doc, ns, "confirm")).isEqualTo("false");
    assertThat(text(doc, ns, "final_halt")).isEqualTo("true");
    assertThat(text(doc, ns, "second_stage")).isEqualTo("false");
    assertThat(doc.getElementsByTagNameNS(ns, "username").getLength()).isGreaterThan(1);
    // list-typed elements carry config:type="list", booleans config:type="boolean"
    NodeList all = doc.getElementsByTagNameNS("*", "*");
    for (int i = 0; i < all.getLength(); i++) {
      Element el = (Element) all.item(i);
      String type = el.getAttributeNS("http://www.suse.com/1.0/configns", "type");
      if (type.equals("boolean")) {
        assertThat(el.getTextContent()).isIn("true", "false");
      }
      if (List.of("users", "partitioning", "partitions", "authorized_keys", "packages",
          "patterns", "chroot-scripts").contains(el.getLocalName())) {
        assertThat(type).as(el.getLocalName()).isEqualTo("list");
      }
    }
    List<String> got = new ArrayList<>();
    NodeList entries = doc.getElementsByTagNameNS(ns, "authorized_keys");
    for (int i = 0; i < entries.getLength(); i++) {
      NodeList items = ((Element) entries.item(i)).getElementsByTagNameNS(ns, "listentry");
      for (int j = 0; j < items.getLength(); j++) {
        got.add(items.item(j).getTextContent());
      }
    }
    assertThat(got).containsExactlyElementsOf(keys);
    String script = text(doc, ns, "source");
    UserScriptRun.assertKeysArrive(dir, script, keys);
    assertThat(plan.kernelArguments()).contains("autoyast=label://OEMDRV/autoinst.xml");
  }

  private void agama(InstallPlan plan, List<String> keys) throws Exception {
    Path json = dir.resolve("autoinst.json");
    Judges.Verdict v = Judges.jsonSchema(dir, "agama/sle-16.0/profile.schema.json", json,
        "--draft", "2019", "--base-id",
        "https://github.com/openSUSE/agama/blob/master/rust/agama-lib/share/");
    assertThat(v.ok()).as(v.output()).isTrue();
    assertThat(plan.kernelArguments()).contains("inst.finish=poweroff");
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    String script = root.path("scripts").path("post").get(0).path("content").asText();
    assertThat(script).startsWith("#!/bin/sh");
    UserScriptRun.assertKeysArrive(dir, script, keys);
  }

  private static String text(Document doc, String ns, String name) {
    NodeList l = doc.getElementsByTagNameNS(ns, name);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent();
  }
}
