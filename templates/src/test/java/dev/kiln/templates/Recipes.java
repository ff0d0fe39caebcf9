package dev.kiln.templates;

import dev.kiln.api.Answers;
import dev.kiln.api.Firmware;
import dev.kiln.api.IsoSource;
import dev.kiln.api.MachineSettings;
import dev.kiln.api.OsSelection;
import dev.kiln.api.Partitioning;
import dev.kiln.api.Recipe;
import dev.kiln.api.Registration;
import dev.kiln.api.RemoteFile;
import dev.kiln.api.Secret;
import dev.kiln.api.UserAccount;
import dev.kiln.templates.values.CatalogEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Recipes the answer-file tests render: the default and an unusual one. */
final class Recipes {
  static final String PLAIN_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKiln0000000000000000000"
      + "0000000000000000000000 kiln@build";
  /** A key whose comment holds every character that means something to some answer language. */
  static final String NASTY_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0kiln== it's \"q\" "
      + "$HOME `reboot` $(reboot) ; rm -rf / \\ & | < > ]]> %end {x} # ü 日本";
  static final String NASTY_PASSWORD = "pa'ss\"w$rd\\`x` ]]> %end\nd-i";

  private Recipes() {}

  static Recipe defaults(CatalogEntry e) {
    return Recipe.builder(new OsSelection(e.id(), e.version()), iso()).name("default")
        .answers(Answers.builder().addUser(new UserAccount("kiln", List.of(PLAIN_KEY),
            Optional.empty(), true, List.of())).build())
        .build();
  }

  static Recipe unusual(CatalogEntry e) {
    Answers.Builder a = Answers.builder()
        .addUser(new UserAccount("alice", List.of(NASTY_KEY, PLAIN_KEY),
            Optional.of(Secret.of(NASTY_PASSWORD)), true, List.of("adm", "wheel-ops")))
        .addUser(new UserAccount("bob_2", List.of(), Optional.of(Secret.of("ünïcødé")), false,
            List.of()))
        .addUser(new UserAccount("svc-backup", List.of(PLAIN_KEY), Optional.empty(), false,
            List.of("backup")))
        .rootPassword(Secret.of(NASTY_PASSWORD))
        .locale("de_DE.UTF-8").keyboard("de").timezone("America/Argentina/Buenos_Aires")
        .addPackages(List.of("vim", "curl", "tmux"))
        .partitioning(Partitioning.LVM);
    if (e.registration().isPresent()) {
      a.registration(new Registration(Optional.of("org-12345"), Secret.of("key-abc.123")));
    }
    return Recipe.builder(new OsSelection(e.id(), e.version()), iso()).name("unusual")
        .machine(MachineSettings.builder().firmware(Firmware.UEFI).build())
        .answers(a.build()).build();
  }

  static IsoSource iso() {
    return new IsoSource(new RemoteFile(List.of(), Optional.of(Path.of("/isos/x.iso")),
        Optional.empty(), Optional.empty()));
  }
}
