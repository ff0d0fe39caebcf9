package dev.kiln.core.internal.pipeline;

import dev.kiln.api.Answers;
import dev.kiln.api.KilnException;
import dev.kiln.api.KilnVersion;
import dev.kiln.api.UserAccount;
import dev.kiln.core.internal.ssh.BuildKey;
import dev.kiln.formats.initrd.InitrdInjector;
import dev.kiln.formats.iso9660.IsoImageWriter;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.qcow2.Qcow2Writer;
import dev.kiln.spi.MachineSpec;
import dev.kiln.spi.OsProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Install: the OS installer runs from its ISO with the rendered answers (in the initrd or on a
 * seed ISO) onto a new disk, until it powers off; the result is cached under a key covering
 * everything the install depends on, and a later build with the same key reuses it.
 */
final class InstallStage {
  private final BuildContext ctx;

  InstallStage(BuildContext ctx) {
    this.ctx = ctx;
  }

  InstalledDisk install(ResolvedSource iso) throws Exception {
    OsProfile profile = ctx.settings.profile();
    // the key covers everything the install depends on, secrets only as digests; the build
    // user is left out (its key is stored with the installed disk)
    OsProfile.InstallPlan plain = profile.plan(ctx.recipe);
    String cacheKey = sha256((iso.checksum() + "\n" + plain.kernelArguments() + "\n"
        + InstallKey.of(ctx.recipe) + "\n" + KilnVersion.get()).getBytes(
            StandardCharsets.UTF_8)).substring(0, 24);
    Path installed = ctx.settings.workRoot().resolve("cache").resolve("installed");
    Files.createDirectories(installed);
    installed.toFile().setExecutable(true, false);
    installed.toFile().setReadable(true, false);
    Path disk = installed.resolve(cacheKey + ".qcow2");
    Path keyFile = installed.resolve(cacheKey + ".key");
    Map<String, String> answerDigests = new TreeMap<>();
    plain.answerFiles().forEach((name, bytes) -> answerDigests.put(name, sha256(bytes)));
    if (Files.isRegularFile(disk) && Files.isRegularFile(keyFile)) {
      ctx.install = new BuildManifest.Install(cacheKey, answerDigests, true);
      ctx.events.warning("install.reused", "the OS installed by an earlier build with the "
          + "same ISO and answers is reused (" + disk.getFileName() + ")");
      return new InstalledDisk(disk, "qcow2", BuildKey.load(Files.readString(keyFile)), true);
    }
    ctx.install = new BuildManifest.Install(cacheKey, answerDigests, false);
    BuildKey key = BuildKey.generate("kiln-build-" + cacheKey);
    ctx.key(key);
    OsProfile.InstallPlan plan = profile.plan(ctx.recipe.toBuilder().answers(
        withBuildUser(key)).build());
    Path kernel = ctx.scratch("kernel");
    Path initrd = ctx.scratch("initrd");
    try (IsoReader reader = IsoReader.open(iso.file())) {
      reader.extract(plan.kernelPathInIso(), kernel);
      reader.extract(plan.initrdPathInIso(), initrd);
    }
    List<Path> cdroms = new ArrayList<>(List.of(iso.file()));
    switch (plan.delivery()) {
      case INITRD -> {
        Path injected = ctx.scratch("initrd-kiln");
        InitrdInjector.inject(initrd, plan.answerFiles(), injected);
        initrd = injected;
      }
      case SEED_CIDATA, SEED_OEMDRV -> {
        Path seed = ctx.scratch("answers.iso");
        IsoImageWriter.Builder w = IsoImageWriter.builder(plan.delivery()
            == OsProfile.AnswerDelivery.SEED_CIDATA ? "CIDATA" : "OEMDRV");
        plan.answerFiles().forEach(w::addFile);
        w.writeTo(seed);
        cdroms.add(seed);
      }
      default -> throw new IllegalStateException("answer delivery " + plan.delivery());
    }
    Path target = ctx.scratch("install-disk.qcow2");
    try (Qcow2Writer w = Qcow2Writer.create(target, ctx.recipe.machine().diskSizeBytes(),
        Qcow2Options.defaults())) {
      w.finish();
    }
    MachineSpec.Builder spec = ctx.machineSpec("install").rebootEndsMachine(true)
        .addDisk(new MachineSpec.Disk(target, "qcow2", false))
        .kernelBoot(new MachineSpec.KernelBoot(kernel, initrd, plan.kernelArguments()));
    cdroms.forEach(spec::addCdrom);
    spec.media(iso.file()); // the verified ISO: a remote host keeps it in its media cache
    RunningMachine machine = ctx.createMachine(spec.build());
    machine.machine().start();
    if (!machine.machine().awaitPowerOff(ctx.settings.installTimeout())) {
      throw new KilnException("the installer did not power off within "
          + ctx.settings.installTimeout().toMinutes() + " min");
    }
    machine.close();
    Path tmpKey = installed.resolve(cacheKey + ".key.partial");
    Files.deleteIfExists(tmpKey);
    Files.createFile(tmpKey, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmpKey, key.privateKeyText());
    Files.move(tmpKey, keyFile, StandardCopyOption.ATOMIC_MOVE);
    Files.move(target, disk, StandardCopyOption.ATOMIC_MOVE);
    disk.toFile().setReadable(true, false);
    return new InstalledDisk(disk, "qcow2", key, false);
  }

  /** The recipe's answers with the build user added (its key only, sudo, no password). */
  private Answers withBuildUser(BuildKey key) {
    Answers a = ctx.recipe.answers();
    Answers.Builder answers = Answers.builder();
    a.users().forEach(answers::addUser);
    answers.addUser(new UserAccount(BuildContext.BUILD_USER, List.of(key.publicKey()),
        Optional.empty(), true, List.of()));
    a.rootPassword().ifPresent(answers::rootPassword);
    answers.locale(a.locale()).keyboard(a.keyboard()).timezone(a.timezone())
        .addPackages(a.packages()).partitioning(a.partitioning());
    a.registration().ifPresent(answers::registration);
    return answers.build();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
