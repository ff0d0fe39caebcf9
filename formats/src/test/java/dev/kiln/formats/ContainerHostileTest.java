package dev.kiln.formats;

import dev.kiln.formats.convert.ConversionTarget;
import dev.kiln.formats.convert.ImageConverter;
import dev.kiln.formats.iso9660.IsoException;
import dev.kiln.formats.iso9660.IsoReader;
import dev.kiln.formats.registry.FormatRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * ISOs made by xorriso and OVAs made by Python's tarfile (with qemu-img's VMDKs inside),
 * mutated as issue 22's campaign did: Rock Ridge entries shorter than their fields, a Joliet
 * root whose both-endian halves disagree, OVF numbers that overflow, deep nesting, corrupt tar
 * headers, and OVAs laid out in ways the old detection mistook for a raw disk.
 */
class ContainerHostileTest {
  @TempDir
  Path dir;

  private Path tree() throws Exception {
    Path t = dir.resolve("tree");
    Files.createDirectories(t.resolve("sub"));
    Files.writeString(t.resolve("hello.txt"), "hello\n");
    Files.writeString(t.resolve("sub/a-rather-long-file-name.cfg"), "x=1\n");
    return t;
  }

  /** An ISO by xorriso (which always writes Rock Ridge) or, for Joliet alone, genisoimage. */
  private Path iso(String tool, String option) throws Exception {
    Path iso = dir.resolve("x.iso");
    if (tool.equals("xorriso")) {
      Mutant.tool("xorriso", "-as", "mkisofs", option, "-quiet", "-o", iso.toString(),
          tree().toString());
    } else {
      Mutant.tool(tool, option, "-quiet", "-o", iso.toString(), tree().toString());
    }
    return iso;
  }

  @Test
  void jolietRootWhoseHalvesDisagreeIsRefused() throws Exception {
    Mutant m = Mutant.of(iso("genisoimage", "-J"));
    long svd = 17 * 2048L;
    assertThat(m.read(svd, 6)[0]).as("xorriso wrote the Joliet descriptor at sector 17")
        .isEqualTo((byte) 2);
    m.putInt(svd + 156 + 6, m.getInt(svd + 156 + 6, BIG_ENDIAN) + 7, BIG_ENDIAN);
    assertThatThrownBy(() -> IsoReader.open(m.path()).close()).isInstanceOf(IsoException.class)
        .hasMessageContaining("both-endian halves disagree");
  }

  @ParameterizedTest(name = "{0} of length 4")
  @ValueSource(strings = {"NM", "PX", "CE"})
  void rockRidgeEntriesShorterThanTheirFieldsAreRefused(String signature) throws Exception {
    Mutant m = Mutant.of(iso("xorriso", "-R"));
    // the System Use area of hello.txt's own record (the root's "." record is not read)
    long record = m.find("HELLO.TXT".getBytes(StandardCharsets.US_ASCII), 18 * 2048L);
    assertThat(record).isPositive();
    byte[] sig = (signature.equals("CE") ? "NM" : signature).getBytes(StandardCharsets.US_ASCII);
    long at = m.find(sig, record);
    assertThat(at).as("xorriso wrote a %s entry for hello.txt", signature)
        .isBetween(record, record + 255);
    assertThat(m.read(at + 3, 1)[0]).as("SUSP version").isEqualTo((byte) 1);
    if (signature.equals("CE")) { // xorriso writes CE only for long areas: turn NM into CE
      m.put(at, "CE".getBytes(StandardCharsets.US_ASCII));
    }
    m.put(at + 2, new byte[] {4});
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() ->
        IsoReader.open(m.path()).close()).isInstanceOf(IsoException.class)
        .hasMessageContaining("Rock Ridge"));
  }

  // ---- OVA --------------------------------------------------------------------------------

  /** A stream-optimized VMDK made by qemu-img from a raw disk with a pattern. */
  private Path qemuVmdk(Path raw) throws Exception {
    Mutant.qemuImg(raw, "raw", "", "8M").qemuWrite("raw", 1 << 20, 1 << 20, 0x42);
    Path vmdk = dir.resolve("disk1.vmdk");
    Mutant.tool("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized",
        raw.toString(), vmdk.toString());
    return vmdk;
  }

  private static String ovf(String diskName, String capacity, String units) {
    return "<?xml version=\"1.0\"?>\n<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" "
        + "xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\"><References><File ovf:id=\"f1\" "
        + "ovf:href=\"" + diskName + "\"/></References><DiskSection><Info>d</Info><Disk "
        + "ovf:diskId=\"d1\" ovf:fileRef=\"f1\" ovf:capacity=\"" + capacity + "\" "
        + "ovf:capacityAllocationUnits=\"" + units + "\"/></DiskSection><VirtualSystem "
        + "ovf:id=\"vm\"><Name>vm</Name></VirtualSystem></Envelope>\n";
  }

  /**
   * An OVA written by Python's tarfile: members as (name, file) pairs, in order, in the given
   * tar format (GNU, PAX).
   */
  private Path pythonTar(String format, String... namesAndFiles) throws Exception {
    Path ova = dir.resolve("x.ova");
    StringBuilder py = new StringBuilder("import tarfile,sys,hashlib,io\n"
        + "t=tarfile.open(sys.argv[1],'w',format=tarfile." + format + ")\nmf=''\n");
    for (int i = 0; i < namesAndFiles.length; i += 2) {
      String name = pyString(namesAndFiles[i]);
      String path = pyString(namesAndFiles[i + 1]);
      py.append("t.add(").append(path).append(",arcname=").append(name).append(")\n")
          .append("mf+='SHA256(%s)= %s\\n'%(").append(name)
          .append(",hashlib.sha256(open(").append(path).append(",'rb').read()).hexdigest())\n");
    }
    // the manifest last, as ovftool writes it
    py.append("b=mf.encode()\ni=tarfile.TarInfo('vm.mf')\ni.size=len(b)\n"
        + "t.addfile(i,io.BytesIO(b))\nt.close()\n");
    Mutant.tool("/usr/bin/python3", "-c", py.toString(), ova.toString());
    return ova;
  }

  private static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private Path file(String name, String content) throws Exception {
    Path p = dir.resolve(name.replace('/', '_'));
    Files.writeString(p, content);
    return p;
  }

  private static ConversionTarget qcow2() {
    return ConversionTarget.of(ImageFormat.QCOW2, dev.kiln.formats.pack.Packaging.NONE);
  }

  private void convertsToTheSameDisk(Path ova, Path raw) throws Exception {
    assertThat(FormatRegistry.standard().detect(ova)).isEqualTo(ImageFormat.OVA);
    Path out = dir.resolve("out.qcow2");
    ImageConverter.convert(ova, out, qcow2(), 1, d -> { });
    Tools.Result cmp = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
        raw.toString(), out.toString());
    assertThat(cmp.exit()).as(cmp.output()).isZero();
    Files.delete(out);
  }

  @Test
  void ovaWithALongGnuNameIsAnOvaNotARawDisk() throws Exception {
    Path raw = dir.resolve("src.raw");
    Path vmdk = qemuVmdk(raw);
    String longName = "a".repeat(120) + ".ovf";
    Path ova = pythonTar("GNU_FORMAT", longName, file("d.ovf", ovf("disk1.vmdk",
        "8388608", "byte")).toString(), "disk1.vmdk", vmdk.toString());
    convertsToTheSameDisk(ova, raw);
  }

  @Test
  void ovaWithANonAsciiPaxNameAndTheDescriptorLastIsAnOva() throws Exception {
    Path raw = dir.resolve("src.raw");
    Path vmdk = qemuVmdk(raw);
    Path ova = pythonTar("PAX_FORMAT", "disk1.vmdk", vmdk.toString(), "machine-\u00e9t\u00e9.ovf",
        file("d.ovf", ovf("disk1.vmdk", "8", "byte * 2^20")).toString());
    convertsToTheSameDisk(ova, raw);
  }

  @Test
  void ovaWhoseDiskIsNotAVmdkIsRefusedNotCopiedAsRaw() throws Exception {
    Path raw = dir.resolve("src.raw");
    Mutant.qemuImg(raw, "raw", "", "1M");
    Path ova = pythonTar("GNU_FORMAT", "vm.ovf", file("d.ovf", ovf("disk1.img", "1",
        "byte * 2^20")).toString(), "disk1.img", raw.toString());
    Path out = dir.resolve("out.qcow2");
    assertThatThrownBy(() -> ImageConverter.convert(ova, out, qcow2(), 1, d -> { }))
        .isInstanceOf(FormatException.class).hasMessageContaining("not a VMDK");
    assertThat(out).doesNotExist();
  }

  @ParameterizedTest(name = "capacity {0}")
  @ValueSource(strings = {"9223372036854775807|byte * 2^30", "1|byte * 2^99999999999",
      "-5|byte", "3|byte * 10^40"})
  void ovfCapacitiesThatOverflowAreProblemsNotCrashes(String capacityAndUnits)
      throws Exception {
    String[] cu = capacityAndUnits.split("\\|");
    Path ova = pythonTar("GNU_FORMAT", "vm.ovf", file("d.ovf", ovf("disk1.vmdk", cu[0],
        cu[1])).toString(), "disk1.vmdk", file("disk", "x").toString());
    ImageReport r = FormatRegistry.standard().inspect(ova);
    assertThat(r.problems()).singleElement().asString().contains("Disk/capacity");
  }

  @Test
  void ovfNested200000DeepIsAProblemNotAStackOverflow() throws Exception {
    String deep = "<a>".repeat(200_000) + "</a>".repeat(200_000);
    Path ova = pythonTar("GNU_FORMAT", "vm.ovf", file("d.ovf", deep).toString());
    ImageReport r = FormatRegistry.standard().inspect(ova);
    assertThat(r.problems()).singleElement().asString().contains("deeper than");
  }

  @Test
  void malformedOvfPrintsNothingToStderr() throws Exception {
    Path ova = pythonTar("GNU_FORMAT", "vm.ovf", file("d.ovf", "<Envelope><oops").toString());
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    ImageReport r;
    try {
      r = FormatRegistry.standard().inspect(ova);
    } finally {
      System.setErr(saved);
    }
    assertThat(r.problems()).singleElement().asString().contains("not well-formed XML");
    assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void corruptTarIsAProblemNotAnException() throws Exception {
    Path raw = dir.resolve("src.raw");
    Path vmdk = qemuVmdk(raw);
    Path ova = pythonTar("GNU_FORMAT", "vm.ovf", file("d.ovf", ovf("disk1.vmdk", "8388608",
        "byte")).toString(), "disk1.vmdk", vmdk.toString());
    Mutant m = Mutant.of(ova);
    long second = m.find("disk1.vmdk".getBytes(StandardCharsets.US_ASCII), 512);
    m.put(second + 124, "77777777777".getBytes(StandardCharsets.US_ASCII)); // size field
    ImageReport r = FormatRegistry.standard().inspect(ova);
    assertThat(r.format()).isEqualTo(ImageFormat.OVA);
    assertThat(r.sound()).isFalse();
  }
}
