package dev.kiln.templates;

import dev.kiln.api.Answers;
import dev.kiln.api.IsoSource;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Recipe;
import dev.kiln.api.Registration;
import dev.kiln.api.Secret;
import dev.kiln.api.UserAccount;
import dev.kiln.templates.values.AnswerValueException;
import dev.kiln.templates.values.CatalogEntry;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attempts to inject answer-file lines or shell commands through every user-controlled value
 * that is not free text: each is refused with the field's name, for every installer. (Free
 * text that is accepted, SSH key comments and passwords, is proven harmless by
 * {@link AnswerFilesValidateTest}, which reads every value back.)
 */
class AnswerInjectionTest {
  static final Catalog CATALOG = Catalog.builtIn();
  static final IsoSource ISO = Recipes.iso();

  static void assertRefusedEverywhere(String field, UnaryOperator<Answers.Builder> change) {
    for (CatalogEntry e : CATALOG.entries()) {
      Answers.Builder b = Answers.builder();
      Recipe r = Recipe.builder(new OsSelection(e.id(), e.version()), ISO)
          .answers(change.apply(b).build()).build();
      assertThatThrownBy(() -> CATALOG.profile(e.id()).orElseThrow().plan(r))
          .as(e.osId()).isInstanceOfSatisfying(AnswerValueException.class,
              x -> assertThat(x.field()).startsWith(field));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"kiln\nd-i passwd/root-login boolean true", "kiln;reboot",
      "Kiln", "$(reboot)", "root", "a b", ""})
  void userNames(String name) {
    assertRefusedEverywhere("answers.users[0].name", b -> b.addUser(new UserAccount(name,
        List.of(), Optional.empty(), false, List.of())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ssh-ed25519 AAAA x\nd-i preseed/late_command string reboot",
      "ssh-ed25519 AAAA\r\n%post\nreboot", "not-a-key AAAA", "ssh-ed25519 AAAA x\u0000y"})
  void sshKeysSpanningLines(String key) {
    assertRefusedEverywhere("answers.users[0].sshKeys[0]", b -> b.addUser(new UserAccount(
        "kiln", List.of(key), Optional.empty(), false, List.of())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"us\nd-i x string y", "us; reboot", "us'"})
  void keyboards(String layout) {
    assertRefusedEverywhere("answers.keyboard", b -> b.keyboard(layout));
  }

  @ParameterizedTest
  @ValueSource(strings = {"UTC\n%post", "UTC; reboot", "../../etc/passwd", "Europe/$(id)"})
  void timezones(String zone) {
    assertRefusedEverywhere("answers.timezone", b -> b.timezone(zone));
  }

  @ParameterizedTest
  @ValueSource(strings = {"en_US.UTF-8\nd-i", "en_US.UTF-8 --addsupport=x", "\"C\""})
  void locales(String locale) {
    assertRefusedEverywhere("answers.locale", b -> b.locale(locale));
  }

  @ParameterizedTest
  @ValueSource(strings = {"vim\n%end\n%post\nreboot", "vim; reboot", "--nogpgcheck",
      "</package><x>"})
  void packages(String pkg) {
    assertRefusedEverywhere("answers.packages[0]", b -> b.addPackages(List.of(pkg)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"wheel\nx", "wheel,root", "$(id)"})
  void groups(String group) {
    assertRefusedEverywhere("answers.users[0].groups[0]", b -> b.addUser(new UserAccount(
        "kiln", List.of(), Optional.empty(), false, List.of(group))));
  }

  @Test
  void registrationKeysAreRefusedWithoutShowingThem() {
    assertRefusedEverywhere("answers.registration.key", b -> b.registration(new Registration(
        Optional.of("org"), Secret.of("k\" --server-hostname=evil"))));
    try {
      Recipe r = Recipe.builder(new OsSelection("rhel", "9"), ISO).answers(Answers.builder()
          .registration(new Registration(Optional.empty(), Secret.of("s3cr3t\""))).build())
          .build();
      CATALOG.profile("rhel").orElseThrow().plan(r);
    } catch (Exception e) {
      assertThat(e.getMessage()).doesNotContain("s3cr3t");
    }
  }

  @Test
  void passwordHashesMatchOpenssl() throws Exception {
    for (String pw : List.of("simple", "pa'ss\"w$rd\\`x`", "ünïcødé 日本")) {
      String salt = "$6$kilnsalt0123456";
      Judges.Verdict v = Judges.run(List.of("openssl", "passwd", "-6", "-salt",
          "kilnsalt0123456", pw));
      assertThat(v.ok()).isTrue();
      assertThat(Secret.sha512Crypt(pw, salt)).isEqualTo(v.output().strip());
    }
    assertThat(Secret.of("x").sha512Crypt()).startsWith("$6$").hasSizeGreaterThan(90);
  }
}
