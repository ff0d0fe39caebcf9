package dev.kiln.formats.convert;

import dev.kiln.formats.ImageFormat;
import dev.kiln.formats.pack.Packaging;
import dev.kiln.formats.qcow2.Qcow2Options;
import dev.kiln.formats.vhd.VhdOptions;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What to write: a format with its options, and the packaging around it.
 *
 * @param format QCOW2, VHD, VHDX, VMDK (stream-optimized) or RAW
 * @param packaging compression applied after conversion
 * @param qcow2 options when the format is QCOW2
 * @param vhd options when the format is VHD
 * @param vhdx options when the format is VHDX
 * @param ovf the VM an OVA describes, when the format is OVA
 */
public record ConversionTarget(ImageFormat format, Packaging packaging, Qcow2Options qcow2,
    VhdOptions vhd, dev.kiln.formats.vhdx.VhdxOptions vhdx, dev.kiln.formats.ova.OvfSpec ovf) {
  public ConversionTarget {
    Objects.requireNonNull(format);
    Objects.requireNonNull(packaging);
    Objects.requireNonNull(qcow2);
    Objects.requireNonNull(vhd);
    Objects.requireNonNull(vhdx);
    Objects.requireNonNull(ovf);
    if (format == ImageFormat.OVA && packaging != Packaging.NONE) {
      throw new IllegalArgumentException("an OVA is already an archive; do not compress it");
    }

  }

  /**
   * {@code format} packaged as {@code packaging}, with each format's default options (qcow2
   * v3, dynamic VHD stamped now, Hyper-V's VHDX block size, {@link
   * dev.kiln.formats.ova.OvfSpec#minimal} for an OVA).
   */
  public static ConversionTarget of(ImageFormat format, Packaging packaging) {
    return new ConversionTarget(format, packaging, Qcow2Options.defaults(),
        VhdOptions.dynamicNow(), dev.kiln.formats.vhdx.VhdxOptions.defaults(),
        dev.kiln.formats.ova.OvfSpec.minimal("disk"));
  }

  /**
   * The target a file name asks for: {@code x.qcow2}, {@code x.vhd.bz2}, {@code x.vhd.zip},
   * {@code x.raw.gz}, {@code x.img}…; {@code format} overrides the extension.
   *
   * @throws IllegalArgumentException naming the extensions understood
   */
  public static ConversionTarget forFileName(String name, Optional<ImageFormat> format,
      Qcow2Options qcow2, VhdOptions vhd, dev.kiln.formats.vhdx.VhdxOptions vhdx,
      dev.kiln.formats.ova.OvfSpec ovf) {
    Packaging packaging = Packaging.ofFileName(name);
    String inner = packaging.strip(name).toLowerCase(Locale.ROOT);
    ImageFormat f = format.orElseGet(() -> {
      if (inner.endsWith(".qcow2")) {
        return ImageFormat.QCOW2;
      }
      if (inner.endsWith(".vhd")) {
        return ImageFormat.VHD;
      }
      if (inner.endsWith(".vhdx")) {
        return ImageFormat.VHDX;
      }
      if (inner.endsWith(".vmdk")) {
        return ImageFormat.VMDK;
      }
      if (inner.endsWith(".ova")) {
        return ImageFormat.OVA;
      }
      if (inner.endsWith(".raw") || inner.endsWith(".img")) {
        return ImageFormat.RAW;
      }
      throw new IllegalArgumentException("cannot tell the format of '" + name + "': use an "
          + "extension .qcow2, .vhd, .vhdx, .vmdk, .ova, .raw or .img (optionally followed by .bz2, .gz or .zip) "
          + "or give the format");
    });
    return new ConversionTarget(f, packaging, qcow2, vhd, vhdx, ovf);
  }
}
