/**
 * Converting an image file into a packaged artifact ({@link
 * dev.kiln.formats.convert.ImageConverter}): read any format the registry recognises, write the
 * target format of a {@link dev.kiln.formats.convert.ConversionTarget}, package and checksum
 * it, with nothing under the destination's name until every step succeeded.
 */
package dev.kiln.formats.convert;
