package dev.kiln.formats;

/**
 * A format's own writer options (qcow2's compat and compression, VHD's subformat, an OVA's
 * machine…), given to that format's {@link FormatCodec#writer}. Each format package defines one
 * record implementing this; the codec's type parameter keeps a format from receiving another's.
 */
public interface WriterOptions {}
