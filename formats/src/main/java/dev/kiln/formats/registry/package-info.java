/**
 * The registry of image formats ({@link dev.kiln.formats.registry.FormatRegistry}): the one
 * place that lists the format packages' codecs, so detecting a file's format, opening it,
 * inspecting it and resolving a format name or file extension never repeat a switch.
 */
package dev.kiln.formats.registry;
