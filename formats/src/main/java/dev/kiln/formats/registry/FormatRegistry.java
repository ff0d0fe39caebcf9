package dev.kiln.formats.registry;

import dev.kiln.formats.DiskImage;
import dev.kiln.formats.FileHead;
import dev.kiln.formats.FormatCodec;
import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.ImageReport;
import dev.kiln.formats.ova.OvaCodec;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.qcow2.Qcow2Codec;
import dev.kiln.formats.qcow2.Qcow2Image;
import dev.kiln.formats.raw.RawCodec;
import dev.kiln.formats.vhd.VhdCodec;
import dev.kiln.formats.vhdx.VhdxCodec;
import dev.kiln.formats.vmdk.VmdkCodec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one list of image formats: every name, extension and magic number Kiln knows is asked of
 * it. Recognition tries the codecs in order, so a format without a magic number (raw) comes
 * last; a name is a format's name or any of its extensions, in any case.
 */
public final class FormatRegistry {
  private static final FormatRegistry STANDARD = new FormatRegistry(List.of(new Qcow2Codec(),
      new VhdxCodec(), new VmdkCodec(), new OvaCodec(), new VhdCodec(), new RawCodec()));

  private final List<FormatCodec<?>> codecs;

  private FormatRegistry(List<FormatCodec<?>> codecs) {
    this.codecs = List.copyOf(codecs);
  }

  /** Kiln's formats: qcow2, VHDX, VMDK, OVA, VHD and raw, in recognition order. */
  public static FormatRegistry standard() {
    return STANDARD;
  }

  /** A registry of {@code codecs}, asked in this order (put a format without magic last). */
  public static FormatRegistry of(List<FormatCodec<?>> codecs) {
    return new FormatRegistry(codecs);
  }

  /** The codecs, in recognition order. */
  public List<FormatCodec<?>> codecs() {
    return codecs;
  }

  /**
   * The codec of {@code format}.
   *
   * @throws IllegalArgumentException when this registry has none
   */
  public FormatCodec<?> codec(ImageFormat format) {
    for (FormatCodec<?> c : codecs) {
      if (c.format() == format) {
        return c;
      }
    }
    throw new IllegalArgumentException("no codec for " + format + " in this registry");
  }

  /** The format {@code name} means: a format's name or an extension ({@code img}), any case. */
  public Optional<FormatCodec<?>> byName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    n = n.startsWith(".") ? n.substring(1) : n;
    for (FormatCodec<?> c : codecs) {
      if (c.format().name().toLowerCase(Locale.ROOT).equals(n) || c.extensions().contains(n)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  /**
   * What a file name says: {@code x.vhd.bz2} is a VHD packaged as bzip2, named {@code x}.
   *
   * @param codec the format its extension names
   * @param packaging the packaging its last suffix names, NONE when there is none
   * @param stem the name without either; empty when the name is only an extension
   */
  public record FileName(FormatCodec<?> codec, Packaging packaging, String stem) {}

  /** The format and packaging a file name ends with; empty when no extension is known. */
  public Optional<FileName> forFileName(String name) {
    Packaging packaging = Packaging.ofFileName(name);
    String inner = packaging.strip(name);
    String lower = inner.toLowerCase(Locale.ROOT);
    FileName best = null;
    int longest = 0;
    for (FormatCodec<?> c : codecs) {
      for (String ext : c.extensions()) {
        // the longest match decides, so .vhdx is never read as .vhd followed by an x
        if (lower.endsWith("." + ext) && ext.length() + 1 > longest) {
          longest = ext.length() + 1;
          best = new FileName(c, packaging, inner.substring(0, inner.length() - longest));
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** Every extension, as a user types it: {@code .qcow2, .vhdx, …, .raw or .img}. */
  public String extensionsText() {
    List<String> all = new ArrayList<>();
    codecs.forEach(c -> c.extensions().forEach(e -> all.add("." + e)));
    return String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
  }

  /** Every packaging suffix, as a user types it: {@code .bz2, .gz, .zip or .xz}. */
  public static String packagingText() {
    List<String> all = new ArrayList<>();
    for (Packaging p : Packaging.values()) {
      if (p != Packaging.NONE) {
        all.add(p.suffix());
      }
    }
    return String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
  }

  /** The codec of {@code file}'s format, judged by its content, never by its name. */
  public FormatCodec<?> recognise(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      FileHead head = FileHead.read(ch);
      for (FormatCodec<?> c : codecs) {
        if (c.recognises(head)) {
          return c;
        }
      }
    }
    throw new dev.kiln.formats.UnsupportedFeatureException(file.getFileName()
        + " is in none of the formats " + names(), "format", 0);
  }

  /** The format of {@code file} judged by its magic numbers; RAW when none matches. */
  public ImageFormat detect(Path file) throws IOException {
    return recognise(file).format();
  }

  /** Opens {@code file} for reading in its recognised format. */
  public DiskImage open(Path file) throws IOException {
    return recognise(file).open(file);
  }

  /**
   * Like {@link #open}, but a qcow2 image with a backing file is read through its backing
   * chain (a build machine's overlay on its base image) instead of being refused.
   */
  public DiskImage openWithBacking(Path file) throws IOException {
    FormatCodec<?> c = recognise(file);
    return c.format() == ImageFormat.QCOW2 ? Qcow2Image.openChain(file) : c.open(file);
  }

  /** Recognises {@code file}'s format and checks every structure ({@link FormatCodec#inspect}). */
  public ImageReport inspect(Path file) throws IOException {
    return recognise(file).inspect(file);
  }

  private String names() {
    List<String> n = new ArrayList<>();
    codecs.forEach(c -> n.add(c.format().name().toLowerCase(Locale.ROOT)));
    return String.join(", ", n);
  }
}
