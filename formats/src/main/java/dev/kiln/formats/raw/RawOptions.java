package dev.kiln.formats.raw;

import dev.kiln.formats.WriterOptions;

/** A raw image has no options: its bytes are the guest's, sparse where the guest's are zero. */
public record RawOptions() implements WriterOptions {}
